import type { RadioQuality } from '../../../contracts/cell-requests.ts';
import { cellIdOnly } from '../../cell/cell-limit.ts';
import { inAllWindows, nextOpenForAll, nextUtcTimeOfDay } from '../../domain/windows.ts';
import type { Radio } from '../../../contracts/common.ts';
import type { StatusReport } from '../../../contracts/device-status-reports.ts';
import { acquire, command, fail, finish, lwm2mResultCodes, resultDetails, stepTimeouts, toStep, type Decided, type DeviceState, type UpgradeTask } from '../task.ts';
import type { ProtocolFlow } from './protocol-flow.ts';
import { keepProgress, onlineAtCheckin, queryVersion, reportedVersion, stepEndCause, timedOut } from './steps.ts';

/** R-LC-4: how a device that stays silent after its push is pushed again. */
export interface Repush {
  /** How many pushes may follow the first. */
  readonly times: number;
  /** Each comes at the first such UTC hour after the push before it. */
  readonly utcHour: number;
}

/**
 * R-FLOW-1, the upgrade of a device its device-management server pushes: wait online, query the
 * version, query the radio (or, when that fails, the cell id: R-CELL-1) and take a cell token,
 * subscribe, deliver the package, upgrade, query the result, unsubscribe, publish. LwM2M and
 * OMA-DM (./oma-dm.ts) walk it alike and differ only in `repush`.
 */
export function pushedFlow(repush: Repush | null): ProtocolFlow {
  const nextRepushAt = (task: UpgradeTask): number | null => {
    if (repush === null || task.repushes >= repush.times || task.lastPushAt === null) return null;
    return nextUtcTimeOfDay(task.lastPushAt + 1, repush.utcHour);
  };

  /** The online wait ends at the next re-push, or 24 h after the last push (R-FLOW-1 step 1). */
  const onlineDeadline = (task: UpgradeTask): number => {
    const timeout = task.lastPushAt! + stepTimeouts.awaitOnline!.ms;
    const next = nextRepushAt(task);
    return next === null ? timeout : Math.min(next, timeout);
  };

  const push = (state: DeviceState, task: UpgradeTask, now: number): Decided => {
    const pushed = { ...task, step: 'awaitOnline' as const, lastPushAt: now, repushes: task.lastPushAt === null ? 0 : task.repushes + 1 };
    return { state: { ...state, task: { ...pushed, deadline: onlineDeadline(pushed) } }, outputs: [command(state, task, 'PUSH', now)] };
  };

  /** R-REQ-2: work starts inside the update window (and the download window, when given). */
  const start = (state: DeviceState, task: UpgradeTask, now: number): Decided => {
    const windows = [task.offer.windows.update, task.offer.windows.download];
    if (!inAllWindows(windows, now)) return { state: { ...state, task: { ...task, step: 'awaitWindow', deadline: nextOpenForAll(windows, now) } }, outputs: [] };
    // A device whose latest check-in says it is connected is reachable now.
    if (state.profile?.connected) return queryVersion(state, task, now);
    return push(state, task, now);
  };

  return {
    start,
    onCheckin: onlineAtCheckin,
    onReport(state, task, report, now) {
      // R-FLOW-1 step 1: any report means the device is online.
      if (task.step === 'awaitOnline') return queryVersion(state, task, now);
      return onReport(state, task, report, now);
    },
    onGrant(state, task, now) {
      return toStep(state, { ...task, grantedAt: now }, 'download', now, [command(state, task, 'SUBSCRIBE', now), command(state, task, 'DELIVER_PACKAGE', now)]);
    },
    onWake(state, task, now) {
      switch (task.step) {
        case 'awaitOnline': {
          const next = nextRepushAt(task);
          if (next !== null && next <= now) return push(state, task, now);
          return timedOut(state, task, now);
        }
        case 'awaitWindow':
          return start(state, task, now);
        case 'awaitApplyWindow':
          return upgrade(state, task, now);
        case 'queryRadio':
          return queryCellId(state, task, now);
        default:
          return timedOut(state, task, now);
      }
    },
    endCause: (task) => (task.step === 'awaitApplyWindow' ? resultDetails.applyWindowNeverReached : stepEndCause(task)),
  };
}

/**
 * R-LC-4 and R-FLOW-1 step 1: an LwM2M device that stays silent is pushed again around 04:00 UTC
 * each day, up to three times, and fails once the 24 h wait after its last push runs out.
 */
export const lwm2mFlow = pushedFlow({ times: 3, utcHour: 4 });

/**
 * R-CELL-1: the radio query failed (no answer in time, or no RSRP/SINR), so the device is asked
 * for its cell id. Only its answer counts: neither the cell id of the latest check-in nor that of
 * an incomplete radio answer stands in for it (README "Decisions").
 */
function queryCellId(state: DeviceState, task: UpgradeTask, now: number): Decided {
  return toStep(state, task, 'queryCellId', now, [command(state, task, 'QUERY_CELL_ID', now)]);
}

const measured = (radio: Radio | null): radio is Radio & { readonly rsrp: number; readonly sinr: number } => radio !== null && radio.rsrp !== null && radio.sinr !== null;

function awaitToken(state: DeviceState, task: UpgradeTask, cellId: string, radio: RadioQuality, now: number): Decided {
  return toStep(state, { ...task, cellId }, 'awaitToken', now, [acquire(state.deviceId, task, cellId, radio, now)]);
}

function onReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined {
  switch (report.kind) {
    case 'FIRMWARE_VERSION':
      if (task.step !== 'queryVersion') return undefined;
      // R-FLOW-1 step 2: already at the target means there is nothing to upgrade.
      if (reportedVersion(task, report) === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', resultDetails.alreadyAtTarget, now);
      return toStep(state, task, 'queryRadio', now, [command(state, task, 'QUERY_RADIO', now)]);
    case 'RADIO':
      if (task.step !== 'queryRadio') return undefined;
      // R-CELL-1: only a measured answer sets the limit; anything less is a failed radio query.
      if (!measured(report.radio)) return queryCellId(state, task, now);
      return awaitToken(state, task, report.radio.cellId, report.radio, now);
    case 'CELL_ID':
      if (task.step !== 'queryCellId') return undefined;
      // R-CELL-1 (seeds 003 step 9, 004 step 8): a cell id allows 10; without one the upgrade fails.
      if (!report.radio?.cellId) return fail(state, task, stepTimeouts.queryCellId!.cause, now);
      return awaitToken(state, task, report.radio.cellId, cellIdOnly, now);
    case 'DOWNLOAD_STARTED':
    case 'DOWNLOAD_PROGRESS':
      return task.step === 'download' ? keepProgress(state, task, report) : undefined;
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
function upgrade(state: DeviceState, task: UpgradeTask, now: number): Decided {
  const windows = [task.offer.windows.update, task.offer.windows.apply];
  if (!inAllWindows(windows, now)) return { state: { ...state, task: { ...task, step: 'awaitApplyWindow', deadline: nextOpenForAll(windows, now) } }, outputs: [] };
  return toStep(state, task, 'update', now, [command(state, task, 'UPGRADE', now)]);
}
