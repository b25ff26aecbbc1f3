import type { ActorType, Decision, Output } from '../runtime/actor.ts';
import type { CellRequest } from '../cell/messages.ts';
import { accepted, currentVersion, rejectionOf } from './acceptance.ts';
import type { Checkin, DeviceDecision, DeviceInput, Offer, StatusReport } from './messages.ts';

/**
 * The device actor (key: deviceId) is the device's inventory entry (its latest check-in,
 * R-DEV-2) and the owner of its one current task (R-DEV-3): because a single actor
 * decides every offer for the device, two campaigns can never both win it.
 *
 * The upgrade walks R-FLOW-1; every wait has a deadline kept in the state, so the
 * runtime's durable wake-ups turn a missed deadline into its R-FLOW-4 cause.
 */
export type Step = 'awaitOnline' | 'queryVersion' | 'queryRadio' | 'awaitToken' | 'download' | 'update';

export interface UpgradeTask {
  readonly campaignId: string;
  readonly attempt: number;
  readonly offer: Offer;
  readonly step: Step;
  readonly deadline: number | null;
  readonly cellId: string | null;
  readonly fromVersion: string | null;
  readonly bytesDownloaded: number;
}

export interface DeviceState {
  readonly deviceId: string;
  readonly profile: Checkin | null;
  readonly task: UpgradeTask | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** R-FLOW-1 waits and their R-FLOW-4 causes. */
export const stepTimeouts: Readonly<Record<Step, { readonly ms: number; readonly cause: string } | null>> = {
  awaitOnline: { ms: 24 * HOUR, cause: 'Waiting for the device online timeout' },
  queryVersion: { ms: 3 * MIN, cause: 'Waiting for report device firmware version timeout' },
  queryRadio: { ms: 3 * MIN, cause: 'Waiting for report cellId timeout' },
  awaitToken: null,
  download: { ms: 60 * MIN, cause: 'Waiting for device downloaded package timeout' },
  update: { ms: 30 * MIN, cause: 'Wait for the device to report upgrade result timeout' },
};

/** R-RES-2: LwM2M firmware update result codes reported by devices. */
export const lwm2mResultCodes: Readonly<Record<number, string>> = {
  2: 'Not enough storage for the new firmware package',
  3: 'Out of memory during downloading process',
  4: 'Connection lost during downloading process',
  5: 'Integrity check failure for new downloaded package',
  6: 'Unsupported package type',
  7: 'Invalid URI',
  8: 'Firmware update failed',
};

export const successDetail = 'The firmware upgrade was successful';
export const alreadyAtTargetDetail = 'Device already runs the target version; no upgrade needed';

type D = Decision<DeviceState>;

export const deviceActor: ActorType<DeviceState, DeviceInput> = {
  name: 'device',
  initial: (deviceId) => ({ deviceId, profile: null, task: null }),
  wakeAt: (s) => s.task?.deadline ?? undefined,
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return onWake(state, now);
      case 'checkin':
        return onCheckin(state, input.checkin, now);
      case 'offer':
        return onOffer(state, input.offer, now);
      case 'status':
        return onStatus(state, input.report, now);
      case 'grant':
        return onGrant(state, input.grant, now);
    }
  },
};

function onCheckin(state: DeviceState, checkin: Checkin, now: number): D {
  // R-DEV-2: the latest check-in is the current state; an older one arriving late is ignored.
  if (state.profile && state.profile.at > checkin.at) return { state, outputs: [] };
  const s = { ...state, profile: checkin };
  if (s.task?.step === 'awaitOnline' && checkin.connected) return queryVersion(s, s.task, now);
  return { state: s, outputs: [] };
}

function onOffer(state: DeviceState, offer: Offer, now: number): D {
  const busyWith = state.task?.campaignId;
  const reason = rejectionOf(state.profile ?? undefined, offer, busyWith);
  const decision = (status: DeviceDecision['status'], detail: string): Output => ({
    topic: 'campaign-device-decisions',
    key: offer.campaignId,
    value: { type: 'decision', campaignId: offer.campaignId, deviceId: state.deviceId, status, detail, at: now } satisfies DeviceDecision,
  });
  if (reason) return { state, outputs: [decision('DeviceRejected', reason)] };
  // The same campaign offering again (redelivery of its request) gets the same answer.
  if (busyWith === offer.campaignId) return { state, outputs: [decision('Accepted', accepted)] };
  const task: UpgradeTask = {
    campaignId: offer.campaignId,
    attempt: 1,
    offer,
    step: 'awaitOnline',
    deadline: now + stepTimeouts.awaitOnline!.ms,
    cellId: null,
    fromVersion: currentVersion(state.profile!, offer.packageKind),
    bytesDownloaded: 0,
  };
  const s = { ...state, task };
  const started = state.profile!.connected ? queryVersion(s, task, now) : { state: s, outputs: [] };
  return { state: started.state, outputs: [decision('Accepted', accepted), ...started.outputs] };
}

function onStatus(state: DeviceState, report: StatusReport, now: number): D {
  const task = state.task;
  if (!task || (report.campaignId !== null && report.campaignId !== task.campaignId)) return { state, outputs: [] };
  switch (report.kind) {
    case 'FIRMWARE_VERSION': {
      if (task.step !== 'queryVersion') break;
      const version = task.offer.packageKind === 'FIRMWARE' ? report.firmwareVersion : report.softwareVersion;
      // R-FLOW-1 step 2: already at the target means there is nothing to upgrade.
      if (version === task.offer.targetVersion) return finish(state, task, 'UpgradeSuccess', alreadyAtTargetDetail, now);
      return step(state, { ...task, step: 'queryRadio' }, now, [command(state, task, 'QUERY_RADIO', now)]);
    }
    case 'RADIO': {
      if (task.step !== 'queryRadio') break;
      // R-CELL-1: without a cell id the device cannot take a token and fails.
      if (!report.radio?.cellId) return finish(state, task, 'UpgradeFailed', stepTimeouts.queryRadio!.cause, now);
      const cellId = report.radio.cellId;
      const acquire: CellRequest = {
        type: 'acquire',
        cellId,
        deviceId: state.deviceId,
        campaignId: task.campaignId,
        attempt: task.attempt,
        radio: { rsrp: report.radio.rsrp, sinr: report.radio.sinr },
        at: now,
      };
      return step(state, { ...task, step: 'awaitToken', cellId }, now, [{ topic: 'cell-requests', key: cellId, value: acquire }]);
    }
    case 'DOWNLOAD_PROGRESS':
    case 'DOWNLOAD_STARTED':
      if (task.step !== 'download') break;
      return { state: { ...state, task: { ...task, bytesDownloaded: report.bytesDownloaded ?? task.bytesDownloaded } }, outputs: [] };
    case 'DOWNLOADED':
      if (task.step !== 'download') break;
      return step(state, { ...task, step: 'update', bytesDownloaded: task.offer.package.sizeBytes }, now, [command(state, task, 'UPGRADE', now)]);
    case 'UPDATE_RESULT': {
      if (task.step !== 'update') break;
      const code = report.resultCode ?? 0;
      const tail = [command(state, task, 'QUERY_RESULT', now), command(state, task, 'UNSUBSCRIBE', now)];
      if (code === 1) return finish(state, task, 'UpgradeSuccess', successDetail, now, tail);
      return finish(state, task, 'UpgradeFailed', lwm2mResultCodes[code] ?? `Firmware update failed (result code ${code})`, now, tail);
    }
    default:
      break;
  }
  return { state, outputs: [] };
}

function onGrant(state: DeviceState, grant: { cellId: string; campaignId: string; attempt: number }, now: number): D {
  const task = state.task;
  const mine = task && task.step === 'awaitToken' && task.campaignId === grant.campaignId && task.attempt === grant.attempt;
  if (!mine) {
    const stillHeld = task && task.campaignId === grant.campaignId && task.attempt === grant.attempt && (task.step === 'download' || task.step === 'update');
    // A grant nobody waits for any more (timed out, finished) goes straight back.
    if (stillHeld) return { state, outputs: [] };
    return { state, outputs: [release(state.deviceId, grant.cellId, grant.campaignId, grant.attempt, 'no longer waiting', now)] };
  }
  return step(state, { ...task, step: 'download' }, now, [command(state, task, 'SUBSCRIBE', now), command(state, task, 'DELIVER_PACKAGE', now)]);
}

function onWake(state: DeviceState, now: number): D {
  const task = state.task;
  if (!task || task.deadline === null || task.deadline > now) return { state, outputs: [] };
  return finish(state, task, 'UpgradeFailed', stepTimeouts[task.step]!.cause, now);
}

function queryVersion(state: DeviceState, task: UpgradeTask, now: number): D {
  return step(state, { ...task, step: 'queryVersion' }, now, [command(state, task, 'QUERY_VERSION', now)]);
}

function step(state: DeviceState, task: UpgradeTask, now: number, outputs: Output[]): D {
  const timeout = stepTimeouts[task.step];
  return { state: { ...state, task: { ...task, deadline: timeout ? now + timeout.ms : null } }, outputs };
}

/** Ends the task: R-CELL-3 gives the token back, R-RES-4 publishes the one result. */
function finish(state: DeviceState, task: UpgradeTask, status: 'UpgradeSuccess' | 'UpgradeFailed', detail: string, now: number, extra: Output[] = []): D {
  const outputs: Output[] = [...extra];
  if (task.cellId && (task.step === 'awaitToken' || task.step === 'download' || task.step === 'update')) {
    outputs.push(release(state.deviceId, task.cellId, task.campaignId, task.attempt, status, now));
  }
  outputs.push({
    topic: 'campaign-device-results',
    key: task.campaignId,
    value: {
      campaignId: task.campaignId,
      deviceId: state.deviceId,
      attempt: task.attempt,
      status,
      detail,
      cellId: task.cellId,
      fromVersion: task.fromVersion,
      toVersion: status === 'UpgradeSuccess' ? task.offer.targetVersion : task.fromVersion,
      at: now,
    },
  });
  return { state: { ...state, task: null }, outputs };
}

function release(deviceId: string, cellId: string, campaignId: string, attempt: number, reason: string, now: number): Output {
  const value: CellRequest = { type: 'release', cellId, deviceId, campaignId, attempt, reason, at: now };
  return { topic: 'cell-requests', key: cellId, value };
}

function command(state: DeviceState, task: UpgradeTask, kind: string, now: number): Output {
  const pkg = kind === 'DELIVER_PACKAGE' ? { ...task.offer.package, token: null, tokenExpiresAt: null } : null;
  return {
    topic: 'device-commands',
    key: state.deviceId,
    value: {
      commandId: `${state.deviceId}/${task.campaignId}/${task.attempt}/${kind}`,
      deviceId: state.deviceId,
      campaignId: task.campaignId,
      attempt: task.attempt,
      kind,
      targetVersion: task.offer.targetVersion,
      package: pkg,
      at: now,
    },
  };
}
