import type { StatusReport } from '../../../contracts/device-status-reports.ts';
import { command, fail, finish, lwm2mResultCodes, MQTT_ONLINE_MS, resultDetails, toStep, type Decided, type DeviceState, type UpgradeTask } from '../task.ts';
import type { ProtocolFlow } from './protocol-flow.ts';
import { keepProgress, onlineAtCheckin, queryVersion, reportedVersion, stepEndCause, timedOut } from './steps.ts';

/**
 * R-FLOW-2, MQTT: wait up to 25 h for the device to be online (it is not pushed), query its
 * version (3 min; the target version already means success), then deliver the URL with a
 * download token valid 24 h; the device downloads, upgrades and reports within 24 h, and
 * succeeds when the version it reports is the target. No cell token, no time windows.
 */
export const mqttFlow: ProtocolFlow = {
  start(state, task, now) {
    if (state.profile?.connected) return queryVersion(state, task, now);
    return { state: { ...state, task: { ...task, step: 'awaitOnline', deadline: now + MQTT_ONLINE_MS } }, outputs: [] };
  },
  onCheckin: onlineAtCheckin,
  onReport(state, task, report, now) {
    // R-FLOW-2: any report means the device is online.
    if (task.step === 'awaitOnline') return queryVersion(state, task, now);
    return onReport(state, task, report, now);
  },
  onWake: timedOut,
  endCause: stepEndCause,
};

function onReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  if (task.step === 'queryVersion' && report.kind === 'FIRMWARE_VERSION') {
    if (reportedVersion(task, report) === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.alreadyAtTarget, now);
    return toStep(state, task, 'mqttTransfer', now, [command(state, task, 'DELIVER_PACKAGE', now)]);
  }
  if (task.step !== 'mqttTransfer') return undefined;
  if (report.kind === 'DOWNLOAD_STARTED' || report.kind === 'DOWNLOAD_PROGRESS') return keepProgress(state, task, report);
  if (report.kind !== 'UPDATE_RESULT') return undefined;
  if (report.resultCode !== null && report.resultCode !== 1) return fail(state, task, lwm2mResultCodes[report.resultCode] ?? `Firmware update failed (result code ${report.resultCode})`, now);
  if (reportedVersion(task, report) === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.success.V2, now);
  return fail(state, task, lwm2mResultCodes[8]!, now);
}
