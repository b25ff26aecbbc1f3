import { inAllWindows } from '../campaign/schedule.ts';
import type { StatusReport } from './messages.ts';
import { command, fail, finish, httpClientCodes, resultDetails, type Decided, type DeviceState, type UpgradeTask } from './task.ts';

/**
 * R-FLOW-3, HTTP: nothing is pushed. On a check-in inside the campaign window and the
 * download window the device is handed the package; once it reports the download, it is
 * told to install on a check-in inside the campaign window and the apply window. Its
 * status reports carry the client codes of R-RES-3.
 */
export function httpOnCheckin(state: DeviceState, task: UpgradeTask, now: number): Decided | undefined {
  const { update, download, apply } = task.offer.windows;
  if (task.step === 'awaitCheckin' && inAllWindows([update, download], now)) {
    return { state: { ...state, task: { ...task, step: 'httpDownload', deadline: null } }, outputs: [command(state, task, 'DELIVER_PACKAGE', now)] };
  }
  if (task.step === 'httpAwaitApply' && inAllWindows([update, apply], now)) return install(state, task, now);
  return undefined;
}

function install(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return { state: { ...state, task: { ...task, step: 'httpInstall', deadline: null } }, outputs: [command(state, task, 'UPGRADE', now)] };
}

/** Client statuses besides the R-RES-3 failure codes. */
export const httpProgress = { downloaded: 'Downloaded', installed: 'InstallSucceeded' } as const;

const failures: ReadonlySet<string> = new Set([httpClientCodes.downloadFailed, httpClientCodes.installFailed, httpClientCodes.unknown, httpClientCodes.other]);

export function httpOnReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  if (report.kind === 'DOWNLOAD_PROGRESS' && task.step === 'httpDownload') {
    return { state: { ...state, task: { ...task, bytesDownloaded: report.bytesDownloaded ?? task.bytesDownloaded } }, outputs: [] };
  }
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

/** R-RES-3: what an HTTP device that had not finished by the campaign's end is failed with. */
export function httpEndCause(task: UpgradeTask): string {
  return task.step === 'httpAwaitApply' || task.step === 'httpInstall' ? httpClientCodes.notInstalledYet : httpClientCodes.didNotReport;
}
