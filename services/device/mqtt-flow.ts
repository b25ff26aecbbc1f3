import type { StatusReport } from './messages.ts';
import { command, fail, finish, lwm2mResultCodes, MQTT_ONLINE_MS, resultDetails, stepTimeouts, toStep, type Decided, type DeviceState, type UpgradeTask } from './task.ts';

/**
 * R-FLOW-2, MQTT: wait up to 25 h for the device to be online (it is not pushed), query its
 * version (3 min; the target version already means success), then deliver the URL with a
 * download token valid 24 h; the device downloads, upgrades and reports within 24 h, and
 * succeeds when the version it reports is the target.
 */
export function startMqtt(state: DeviceState, task: UpgradeTask, now: number): Decided {
  if (state.profile?.connected) return mqttOnline(state, task, now);
  return { state: { ...state, task: { ...task, step: 'awaitOnline', deadline: now + MQTT_ONLINE_MS } }, outputs: [] };
}

export function mqttOnline(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'queryVersion', now, [command(state, task, 'QUERY_VERSION', now)]);
}

const reported = (task: UpgradeTask, r: StatusReport) => (task.offer.packageKind === 'FIRMWARE' ? r.firmwareVersion : r.softwareVersion);

export function mqttOnReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  if (task.step === 'queryVersion' && report.kind === 'FIRMWARE_VERSION') {
    if (reported(task, report) === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.alreadyAtTarget, now);
    const transfer = stepTimeouts.mqttTransfer!.ms;
    const token = { token: `${state.deviceId}/${task.campaignId}/${task.attempt}`, expiresAt: now + transfer };
    return toStep(state, task, 'mqttTransfer', now, [command(state, task, 'DELIVER_PACKAGE', now, token)]);
  }
  if (task.step !== 'mqttTransfer') return undefined;
  if (report.kind === 'DOWNLOAD_STARTED' || report.kind === 'DOWNLOAD_PROGRESS') {
    return { state: { ...state, task: { ...task, bytesDownloaded: report.bytesDownloaded ?? task.bytesDownloaded } }, outputs: [] };
  }
  if (report.kind !== 'UPDATE_RESULT') return undefined;
  if (report.resultCode !== null && report.resultCode !== 1) return fail(state, task, lwm2mResultCodes[report.resultCode] ?? `Firmware update failed (result code ${report.resultCode})`, now);
  if (reported(task, report) === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.success.V2, now);
  return fail(state, task, lwm2mResultCodes[8]!, now);
}
