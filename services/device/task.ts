import type { Output } from '../runtime/actor.ts';
import type { CellRequest } from '../cell/messages.ts';
import type { Checkin, Offer } from './messages.ts';

/**
 * A device's one current task (R-DEV-3) and the outputs every flow shares: device
 * commands, token release (R-CELL-3) and the one final result (R-RES-4).
 */
export type Step = 'scheduled' | 'awaitWindow' | 'awaitCheckin' | 'awaitOnline' | 'queryVersion' | 'queryRadio' | 'awaitToken' | 'download' | 'awaitApplyWindow' | 'update';

export interface UpgradeTask {
  readonly campaignId: string;
  readonly attempt: number;
  readonly offer: Offer;
  readonly step: Step;
  readonly deadline: number | null;
  readonly cellId: string | null;
  readonly fromVersion: string | null;
  readonly bytesDownloaded: number;
  /** R-LC-4: when the device was last pushed, and how many re-pushes followed the first. */
  readonly lastPushAt: number | null;
  readonly repushes: number;
}

export interface DeviceState {
  readonly deviceId: string;
  readonly profile: Checkin | null;
  readonly task: UpgradeTask | null;
  /** R-LOG-1: verbose logging asked for, then collecting from the next check-in (a task, R-DEV-3). */
  readonly logging: 'off' | 'requested' | 'collecting';
}

export type ResultStatus = 'UpgradeSuccess' | 'UpgradeFailed' | 'CampaignCancelled' | 'CampaignAborted';

export interface Decided {
  readonly state: DeviceState;
  readonly outputs: Output[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** R-FLOW-1 waits and their R-FLOW-4 causes. */
export const stepTimeouts: Readonly<Record<Step, { readonly ms: number; readonly cause: string } | null>> = {
  scheduled: null,
  awaitWindow: null,
  awaitCheckin: null,
  awaitOnline: { ms: 24 * HOUR, cause: 'Waiting for the device online timeout' },
  queryVersion: { ms: 3 * MIN, cause: 'Waiting for report device firmware version timeout' },
  queryRadio: { ms: 3 * MIN, cause: 'Waiting for report cellId timeout' },
  awaitToken: null,
  download: { ms: 60 * MIN, cause: 'Waiting for device downloaded package timeout' },
  awaitApplyWindow: null,
  update: { ms: 30 * MIN, cause: 'Wait for the device to report upgrade result timeout' },
};

/** R-RES-1/3 and R-LC-2 details of final results. */
export const resultDetails = {
  success: { V1: 'The firmware upgrade was successful', V2: 'Download and install succeeded' },
  alreadyAtTarget: 'Device already runs the target version; no upgrade needed',
  cancelled: 'Campaign canceled by user.',
  aborted: 'Campaign aborted by user.',
  removed: 'Device removed from campaign by user.',
  endedBeforeStart: 'Campaign ended before the device was started',
  httpNeverReported: 'RovaClientDidNotReportStatus',
  applyWindowNeverReached: 'Waiting for device start to update timeout',
} as const;

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

const holdsOrAwaitsToken = (step: Step) => step === 'awaitToken' || step === 'download' || step === 'awaitApplyWindow' || step === 'update';

/** Moves the task to a step and arms that step's deadline. */
export function toStep(state: DeviceState, task: UpgradeTask, step: Step, now: number, outputs: Output[]): Decided {
  const timeout = stepTimeouts[step];
  return { state: { ...state, task: { ...task, step, deadline: timeout ? now + timeout.ms : null } }, outputs };
}

/** Ends the task: R-CELL-3 gives the token back, R-RES-4 publishes the one result. */
export function finish(state: DeviceState, task: UpgradeTask, status: ResultStatus, detail: string, now: number, extra: Output[] = []): Decided {
  const outputs: Output[] = [...extra];
  if (task.cellId && holdsOrAwaitsToken(task.step)) outputs.push(release(state.deviceId, task.cellId, task.campaignId, task.attempt, status, now));
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

export function release(deviceId: string, cellId: string, campaignId: string, attempt: number, reason: string, now: number): Output {
  const value: CellRequest = { type: 'release', cellId, deviceId, campaignId, attempt, reason, at: now };
  return { topic: 'cell-requests', key: cellId, value };
}

export function command(state: DeviceState, task: UpgradeTask, kind: string, now: number): Output {
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

/** Log collection is not part of a campaign; its commands name no campaign or version. */
export function logCommand(deviceId: string, kind: 'START_LOG_COLLECTION' | 'STOP_LOG_COLLECTION', now: number): Output {
  return {
    topic: 'device-commands',
    key: deviceId,
    value: { commandId: `${deviceId}/verbose/${now}/${kind}`, deviceId, campaignId: '', attempt: 0, kind, targetVersion: '', package: null, at: now },
  };
}
