import type { Checkin } from '../../../contracts/device-checkins.ts';
import type { StatusReport } from '../../../contracts/device-status-reports.ts';
import { command, fail, resultDetails, stepTimeouts, toStep, type Decided, type DeviceState, type UpgradeTask } from '../task.ts';

/** Steps that several protocol flows walk alike. */

/** R-FLOW-1 step 2, R-FLOW-2: the device is online; ask for its version (3 min). */
export function queryVersion(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'queryVersion', now, [command(state, task, 'QUERY_VERSION', now)]);
}

/** R-FLOW-1 step 1, R-FLOW-2: a check-in saying the device is connected ends the online wait. */
export function onlineAtCheckin(state: DeviceState, task: UpgradeTask, checkin: Checkin, now: number): Decided | undefined {
  return task.step === 'awaitOnline' && checkin.connected ? queryVersion(state, task, now) : undefined;
}

/** The version the campaign compares: firmware or software, by its package kind. */
export const reportedVersion = (task: UpgradeTask, report: StatusReport) => (task.offer.packageKind === 'FIRMWARE' ? report.firmwareVersion : report.softwareVersion);

/** Resumable downloads: the progress is kept, and the step's deadline is not reset. */
export function keepProgress(state: DeviceState, task: UpgradeTask, report: StatusReport): Decided {
  return { state: { ...state, task: { ...task, bytesDownloaded: report.bytesDownloaded ?? task.bytesDownloaded } }, outputs: [] };
}

/** R-FLOW-4: the step's wait ran out; the device fails with its cause (retried per R-REQ-3). */
export function timedOut(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return fail(state, task, stepTimeouts[task.step]!.cause, now);
}

/**
 * R-FLOW-4: a campaign that ends fails a device with the cause of the wait it was in, the cause
 * of its last failure while waiting to retry, or otaflow's own wording when it had not started.
 */
export function stepEndCause(task: UpgradeTask): string {
  if (task.step === 'retryWait') return task.lastCause!;
  return stepTimeouts[task.step]?.cause ?? resultDetails.endedBeforeStart;
}
