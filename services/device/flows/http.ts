import { inAllWindows } from '../../domain/windows.ts';
import type { StatusReport } from '../../../contracts/device-status-reports.ts';
import { command, fail, finish, httpClientCodes, httpProgress, resultDetails, type Decided, type DeviceState, type UpgradeTask } from '../task.ts';
import type { ProtocolFlow } from './protocol-flow.ts';
import { keepProgress, timedOut } from './steps.ts';

const failures: ReadonlySet<string> = new Set([httpClientCodes.downloadFailed, httpClientCodes.installFailed, httpClientCodes.unknown, httpClientCodes.other]);

/**
 * R-FLOW-3, HTTP: nothing is pushed (R-LC-4). On a check-in inside the campaign window and the
 * download window the device is handed the package; once it reports the download, it is told
 * to install on a check-in inside the campaign window and the apply window. Its status reports
 * carry the client codes of R-RES-3. No step has a platform timeout: the campaign's end bounds
 * the wait.
 */
export const httpFlow: ProtocolFlow = {
  start: (state, task) => ({ state: { ...state, task: { ...task, step: 'awaitCheckin', deadline: null } }, outputs: [] }),
  onCheckin(state, task, _checkin, now) {
    const { update, download, apply } = task.offer.windows;
    if (task.step === 'awaitCheckin' && inAllWindows([update, download], now)) {
      return { state: { ...state, task: { ...task, step: 'httpDownload', deadline: null } }, outputs: [command(state, task, 'DELIVER_PACKAGE', now)] };
    }
    if (task.step === 'httpAwaitApply' && inAllWindows([update, apply], now)) return install(state, task, now);
    return undefined;
  },
  onReport,
  onWake: timedOut,
  // R-RES-3: downloaded but not installed by the end, or never reported the download.
  endCause: (task) => (task.step === 'httpAwaitApply' || task.step === 'httpInstall' ? httpClientCodes.notInstalledYet : httpClientCodes.didNotReport),
};

function install(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return { state: { ...state, task: { ...task, step: 'httpInstall', deadline: null } }, outputs: [command(state, task, 'UPGRADE', now)] };
}

function onReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  if (report.kind === 'DOWNLOAD_PROGRESS' && task.step === 'httpDownload') return keepProgress(state, task, report);
  if (report.kind !== 'CLIENT_STATUS' || report.clientStatus === null) return undefined;
  const status = report.clientStatus;
  if (failures.has(status)) return fail(state, task, status, now);
  if (status === httpProgress.downloaded && task.step === 'httpDownload') {
    const ready = { ...task, bytesDownloaded: task.offer.package.sizeBytes };
    const { update, apply } = task.offer.windows;
    return inAllWindows([update, apply], now) ? install(state, ready, now) : { state: { ...state, task: { ...ready, step: 'httpAwaitApply' } }, outputs: [] };
  }
  if (status === httpProgress.installed && task.step === 'httpInstall') return finish(state, task, 'UpgradeSuccess', resultDetails.success.V2, now);
  return undefined;
}
