import { cellIdOnly, type RadioQuality } from '../cell/cell-limit.ts';
import type { CellRequest } from '../cell/messages.ts';
import type { Radio, StatusReport } from './messages.ts';
import { inAllWindows, nextOpenForAll, nextUtcTimeOfDay } from '../campaign/schedule.ts';
import { command, fail, finish, lwm2mResultCodes, resultDetails, stepTimeouts, toStep, type Decided, type DeviceState, type UpgradeTask } from './task.ts';

const MAX_REPUSHES = 3;
const REPUSH_UTC_HOUR = 4;

/**
 * R-FLOW-1, the LwM2M / NB-IoT upgrade: wait online, query the version, query the radio (or,
 * when that fails, the cell id: R-CELL-1) and take a cell token, subscribe, deliver the
 * package, upgrade, query the result, unsubscribe, publish.
 */
/** R-REQ-2: work starts inside the update window (and the download window, when given). */
export function startLwm2m(state: DeviceState, task: UpgradeTask, now: number): Decided {
  const windows = [task.offer.windows.update, task.offer.windows.download];
  if (!inAllWindows(windows, now)) return { state: { ...state, task: { ...task, step: 'awaitWindow', deadline: nextOpenForAll(windows, now) } }, outputs: [] };
  // A device whose latest check-in says it is connected is reachable now.
  if (state.profile?.connected) return toStep(state, task, 'queryVersion', now, [command(state, task, 'QUERY_VERSION', now)]);
  return push(state, task, now);
}

/**
 * R-FLOW-1 step 1 and R-LC-4: push the device and wait 24 h for it to come online; an
 * LWM2M device that stays silent is pushed again around 04:00 UTC each day, up to three
 * times, and fails once the wait after its last push runs out.
 */
function push(state: DeviceState, task: UpgradeTask, now: number): Decided {
  const pushed = { ...task, step: 'awaitOnline' as const, lastPushAt: now, repushes: task.lastPushAt === null ? 0 : task.repushes + 1 };
  return { state: { ...state, task: { ...pushed, deadline: onlineDeadline(pushed) } }, outputs: [command(state, task, 'PUSH', now)] };
}

function nextRepushAt(task: UpgradeTask): number | null {
  if (task.offer.protocol !== 'LWM2M' || task.repushes >= MAX_REPUSHES || task.lastPushAt === null) return null;
  return nextUtcTimeOfDay(task.lastPushAt + 1, REPUSH_UTC_HOUR);
}

function onlineDeadline(task: UpgradeTask): number {
  const timeout = task.lastPushAt! + stepTimeouts.awaitOnline!.ms;
  const repush = nextRepushAt(task);
  return repush === null ? timeout : Math.min(repush, timeout);
}

export function lwm2mAwaitOnlineWake(state: DeviceState, task: UpgradeTask, now: number): Decided {
  const repush = nextRepushAt(task);
  if (repush !== null && repush <= now) return push(state, task, now);
  return fail(state, task, stepTimeouts.awaitOnline!.cause, now);
}

export function lwm2mOnline(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'queryVersion', now, [command(state, task, 'QUERY_VERSION', now)]);
}

/**
 * R-CELL-1: the radio query failed (no answer in time, or no RSRP/SINR), so the device is asked
 * for its cell id. Only its answer counts: neither the cell id of the latest check-in nor that of
 * an incomplete radio answer stands in for it (README "Decisions").
 */
export function lwm2mQueryCellId(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'queryCellId', now, [command(state, task, 'QUERY_CELL_ID', now)]);
}

const measured = (radio: Radio | null): radio is Radio & { readonly rsrp: number; readonly sinr: number } => radio !== null && radio.rsrp !== null && radio.sinr !== null;

/** R-CELL-1: asks the device's cell for a token; the cell actor derives the limit from `radio`. */
function acquireToken(state: DeviceState, task: UpgradeTask, cellId: string, radio: RadioQuality, now: number): Decided {
  const { deviceId } = state;
  const acquire: CellRequest = { type: 'acquire', cellId, deviceId, campaignId: task.campaignId, attempt: task.attempt, radio: { rsrp: radio.rsrp, sinr: radio.sinr }, at: now };
  return toStep(state, { ...task, cellId }, 'awaitToken', now, [{ topic: 'cell-requests', key: cellId, value: acquire }]);
}

export function lwm2mOnReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  switch (report.kind) {
    case 'FIRMWARE_VERSION': {
      if (task.step !== 'queryVersion') return undefined;
      const version = task.offer.packageKind === 'FIRMWARE' ? report.firmwareVersion : report.softwareVersion;
      // R-FLOW-1 step 2: already at the target means there is nothing to upgrade.
      if (version === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.alreadyAtTarget, now);
      return toStep(state, task, 'queryRadio', now, [command(state, task, 'QUERY_RADIO', now)]);
    }
    case 'RADIO':
      if (task.step !== 'queryRadio') return undefined;
      // R-CELL-1: only a measured answer sets the limit; anything less is a failed radio query.
      if (!measured(report.radio)) return lwm2mQueryCellId(state, task, now);
      return acquireToken(state, task, report.radio.cellId, report.radio, now);
    case 'CELL_ID':
      if (task.step !== 'queryCellId') return undefined;
      // R-CELL-1 (seeds 003 step 9, 004 step 8): a cell id allows 10; without one the upgrade fails.
      if (!report.radio?.cellId) return fail(state, task, stepTimeouts.queryCellId!.cause, now);
      return acquireToken(state, task, report.radio.cellId, cellIdOnly, now);
    case 'DOWNLOAD_STARTED':
    case 'DOWNLOAD_PROGRESS':
      if (task.step !== 'download') return undefined;
      // Resumable download: progress is kept, the 60-minute deadline is not reset.
      return { state: { ...state, task: { ...task, bytesDownloaded: report.bytesDownloaded ?? task.bytesDownloaded } }, outputs: [] };
    case 'DOWNLOADED':
      if (task.step !== 'download') return undefined;
      return upgrade(state, { ...task, bytesDownloaded: task.offer.package.sizeBytes }, now);
    case 'UPDATE_RESULT': {
      if (task.step !== 'update') return undefined;
      const code = report.resultCode ?? 0;
      const tail = [command(state, task, 'QUERY_RESULT', now), command(state, task, 'UNSUBSCRIBE', now)];
      if (code === 1) return finish(state, task, 'UpgradeSuccess', resultDetails.success[task.offer.api], now, tail);
      return fail(state, task, lwm2mResultCodes[code] ?? `Firmware update failed (result code ${code})`, now, tail);
    }
    default:
      return undefined;
  }
}

/** R-REQ-2: the upgrade is applied inside the update window (and the apply window, when given). */
export function upgrade(state: DeviceState, task: UpgradeTask, now: number): Decided {
  const windows = [task.offer.windows.update, task.offer.windows.apply];
  if (!inAllWindows(windows, now)) return { state: { ...state, task: { ...task, step: 'awaitApplyWindow', deadline: nextOpenForAll(windows, now) } }, outputs: [] };
  return toStep(state, task, 'update', now, [command(state, task, 'UPGRADE', now)]);
}

export function lwm2mOnGrant(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'download', now, [command(state, task, 'SUBSCRIBE', now), command(state, task, 'DELIVER_PACKAGE', now)]);
}
