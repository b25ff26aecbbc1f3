import type { RadioQuality } from '../../contracts/cell-requests.ts';
import { campaignCommand, logCommand, type CommandKind } from '../../contracts/device-commands.ts';
import type { Publish } from '../../contracts/index.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { OfferTerms, Protocol } from '../../contracts/common.ts';

/**
 * A device's one current task (R-DEV-3) and the outputs every flow shares: device
 * commands, cell token requests (R-CELL-1, R-CELL-3) and the one final result (R-RES-4).
 */
export type Step = 'scheduled' | 'retryWait' | 'awaitWindow' | 'awaitCheckin' | 'awaitOnline' | 'queryVersion' | 'queryRadio' | 'queryCellId' | 'awaitToken' | 'download' | 'awaitApplyWindow' | 'update' | 'mqttTransfer' | 'httpDownload' | 'httpAwaitApply' | 'httpInstall';

export interface UpgradeTask {
  readonly campaignId: string;
  readonly attempt: number;
  /** The campaign's terms: the same object for every device of the campaign once packed (packed-state.ts). */
  readonly offer: OfferTerms;
  readonly step: Step;
  readonly deadline: number | null;
  readonly cellId: string | null;
  readonly fromVersion: string | null;
  readonly bytesDownloaded: number;
  /** R-LC-4: when the device was last pushed, and how many re-pushes followed the first. */
  readonly lastPushAt: number | null;
  readonly repushes: number;
  /** R-REQ-3: why the previous attempt failed, while waiting to retry. */
  readonly lastCause?: string;
  /** R-SAFE-1: the campaign stopped handing out work while this device was mid-upgrade: it finishes without retries. */
  readonly halted?: boolean;
  /** R-SAFE-6: when this attempt was granted its cell token (R-CELL-1). */
  readonly grantedAt?: number;
}

export interface DeviceState {
  readonly deviceId: string;
  readonly profile: Checkin | null;
  readonly task: UpgradeTask | null;
  /** R-LOG-1: verbose logging asked for, then collecting from the next check-in (a task, R-DEV-3). */
  readonly logging: 'off' | 'requested' | 'collecting';
  /** R-SAFE-5: the dynamic campaigns the device took, until their end: none is offered to it twice. */
  readonly dynamic?: readonly { readonly campaignId: string; readonly endAt: number }[];
}

export type ResultStatus = 'UpgradeSuccess' | 'UpgradeFailed' | 'CampaignCancelled' | 'CampaignAborted';

export type DeviceOutput = Publish<'device-commands' | 'campaign-device-results' | 'campaign-device-decisions' | 'cell-requests' | 'verbose-requests'>;

export interface Decided {
  readonly state: DeviceState;
  readonly outputs: DeviceOutput[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** R-FLOW-1 waits and their R-FLOW-4 causes. */
export const stepTimeouts: Readonly<Record<Step, { readonly ms: number; readonly cause: string } | null>> = {
  scheduled: null,
  retryWait: null,
  awaitWindow: null,
  awaitCheckin: null,
  awaitOnline: { ms: 24 * HOUR, cause: 'Waiting for the device online timeout' },
  queryVersion: { ms: 3 * MIN, cause: 'Waiting for report device firmware version timeout' },
  // R-CELL-1: a radio query that runs out asks for the cell id; its cause is only for a campaign ending meanwhile.
  queryRadio: { ms: 3 * MIN, cause: 'Waiting for report cellId timeout' },
  queryCellId: { ms: 3 * MIN, cause: 'Waiting for report cellId timeout' },
  awaitToken: null,
  download: { ms: 60 * MIN, cause: 'Waiting for device downloaded package timeout' },
  awaitApplyWindow: null,
  update: { ms: 30 * MIN, cause: 'Wait for the device to report upgrade result timeout' },
  // R-FLOW-2: the download token and the download-and-report wait are both 24 h.
  mqttTransfer: { ms: 24 * HOUR, cause: 'Wait for the device to report upgrade result timeout' },
  // R-FLOW-3: HTTP devices report at their own pace; the campaign's end bounds the wait.
  httpDownload: null,
  httpAwaitApply: null,
  httpInstall: null,
};

/** R-FLOW-2: MQTT devices get 25 h to come online. */
export const MQTT_ONLINE_MS = 25 * HOUR;

/** R-RES-1: the v1 API's failure details, by what went wrong. */
export const v1FailureDetails = {
  notConnected: 'Device is not in an active state or is not connected.',
  prerequisites: 'Current device module does not meet firmware prerequisites.',
  updateFailed: 'Firmware update to device failed.',
} as const;

/** R-RES-3: what HTTP clients report, and what a result says when they did not. */
export const httpClientCodes = {
  didNotReport: 'RovaClientDidNotReportStatus',
  downloadFailed: 'RovaClientDownloadFailed',
  notInstalledYet: 'RovaClientDownloadNotInstalledYet',
  installFailed: 'RovaClientDownloadedInstallFailed',
  unknown: 'Uknown device error.',
  other: 'Other.',
} as const;

/** Client statuses besides the R-RES-3 failure codes. */
export const httpProgress = { downloaded: 'Downloaded', installed: 'InstallSucceeded' } as const;

/** R-RES-1/3 and R-LC-2 details of final results. */
export const resultDetails = {
  success: { V1: 'The firmware upgrade was successful', V2: 'Download and install succeeded' },
  alreadyAtTarget: 'Device already runs the target version; no upgrade needed',
  cancelled: 'Campaign canceled by user.',
  aborted: 'Campaign aborted by user.',
  removed: 'Device removed from campaign by user.',
  endedBeforeStart: 'Campaign ended before the device was started',
  applyWindowNeverReached: 'Waiting for device start to update timeout',
  halted: 'Campaign stopped by its abort criteria before the device started its upgrade',
} as const;

/** R-REQ-3: device-reported causes that another attempt cannot fix. */
export const finalCauses: ReadonlySet<string> = new Set([
  'Not enough storage for the new firmware package',
  'Out of memory during downloading process',
  'Unsupported package type',
  'Invalid URI',
  httpClientCodes.unknown,
  httpClientCodes.other,
]);

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

/** R-SAFE-1: steps in which the device has begun to download or install: a halted campaign lets it finish. */
export const midUpgrade = (step: Step) => step === 'download' || step === 'awaitApplyWindow' || step === 'update' || step === 'mqttTransfer' || step === 'httpDownload' || step === 'httpAwaitApply' || step === 'httpInstall';

const holdsToken = (step: Step) => step === 'download' || step === 'awaitApplyWindow' || step === 'update';
export const holdsOrAwaitsToken = (step: Step) => step === 'awaitToken' || holdsToken(step);

/** Moves the task to a step and arms that step's deadline. */
export function toStep(state: DeviceState, task: UpgradeTask, step: Step, now: number, outputs: DeviceOutput[]): Decided {
  const timeout = stepTimeouts[step];
  return { state: { ...state, task: { ...task, step, deadline: timeout ? now + timeout.ms : null } }, outputs };
}

/**
 * A failure: R-REQ-3 retries it after the campaign's interval while attempts remain and the
 * cause is one another attempt can fix; otherwise it is the device's final result.
 */
export function fail(state: DeviceState, task: UpgradeTask, cause: string, now: number, extra: DeviceOutput[] = []): Decided {
  const retry = task.offer.retry;
  if (retry && task.attempt <= retry.attempts && !finalCauses.has(cause) && !task.halted) {
    const outputs: DeviceOutput[] = [...extra];
    if (task.cellId && holdsOrAwaitsToken(task.step)) outputs.push(release(state.deviceId, task.cellId, task.campaignId, task.attempt, cause, now));
    return { state: { ...state, task: { ...task, step: 'retryWait', deadline: now + retry.intervalMinutes * MIN, lastCause: cause } }, outputs };
  }
  return finish(state, task, 'UpgradeFailed', cause, now, extra);
}

/** The result's detail: R-RES-1 wording for v1, the client code for HTTP (R-RES-3), else the cause. */
function failureDetail(task: UpgradeTask, cause: string): string {
  if (task.offer.protocol === 'HTTP') return cause;
  if (task.offer.api !== 'V1') return cause;
  if (cause === stepTimeouts.awaitOnline!.cause) return v1FailureDetails.notConnected;
  if (cause === lwm2mResultCodes[6]) return v1FailureDetails.prerequisites;
  return v1FailureDetails.updateFailed;
}

/** Ends the task: R-CELL-3 gives the token back, R-RES-4 publishes the one result. */
export function finish(state: DeviceState, task: UpgradeTask, status: ResultStatus, cause: string, now: number, extra: DeviceOutput[] = []): Decided {
  const outputs: DeviceOutput[] = [...extra];
  if (task.cellId && holdsOrAwaitsToken(task.step)) outputs.push(release(state.deviceId, task.cellId, task.campaignId, task.attempt, status, now));
  const detail = status === 'UpgradeFailed' ? failureDetail(task, cause) : cause;
  outputs.push({
    topic: 'campaign-device-results',
    key: task.campaignId,
    value: {
      campaignId: task.campaignId,
      deviceId: state.deviceId,
      attempt: task.attempt,
      status,
      detail,
      cause: status === 'UpgradeFailed' ? cause : null,
      cellId: task.cellId,
      fromVersion: task.fromVersion,
      toVersion: status === 'UpgradeSuccess' ? task.offer.targetVersion : task.fromVersion,
      at: now,
      tokenHeldMs: task.grantedAt !== undefined && holdsToken(task.step) ? now - task.grantedAt : null,
    },
  });
  return { state: { ...state, task: null }, outputs };
}

/** R-CELL-1: asks the device's cell for a token; the cell actor derives the limit from `radio`. */
export function acquire(deviceId: string, task: UpgradeTask, cellId: string, radio: RadioQuality, now: number): DeviceOutput {
  return { topic: 'cell-requests', key: cellId, value: { type: 'acquire', cellId, deviceId, campaignId: task.campaignId, attempt: task.attempt, radio: { rsrp: radio.rsrp, sinr: radio.sinr }, at: now } };
}

export function release(deviceId: string, cellId: string, campaignId: string, attempt: number, reason: string, now: number): DeviceOutput {
  return { topic: 'cell-requests', key: cellId, value: { type: 'release', cellId, deviceId, campaignId, attempt, reason, at: now } };
}

/**
 * R-SEC-1: how long a delivery's download token is valid: the wait for the download where the flow
 * has one (60 min for LwM2M and OMA-DM), 24 h for MQTT (R-FLOW-2) and for HTTP devices, which
 * download at their own pace (a token that ran out is a failed download, retried per R-REQ-3).
 */
export const downloadTokenLifetimeMs: Readonly<Record<Protocol, number>> = {
  LWM2M: stepTimeouts.download!.ms,
  OMA_DM: stepTimeouts.download!.ms,
  MQTT: stepTimeouts.mqttTransfer!.ms,
  HTTP: 24 * HOUR,
};

/** A campaign step's command; a DELIVER_PACKAGE carries the package, its signature and the expiry of its download token. */
export function command(state: DeviceState, task: UpgradeTask, kind: CommandKind, now: number): DeviceOutput {
  const { url, sizeBytes, checksum, signature } = task.offer.package;
  const pkg = kind === 'DELIVER_PACKAGE' ? { url, sizeBytes, checksum, signature: signature ?? null, token: null, tokenExpiresAt: now + downloadTokenLifetimeMs[task.offer.protocol] } : undefined;
  const value = campaignCommand({ deviceId: state.deviceId, campaignId: task.campaignId, attempt: task.attempt, kind, targetVersion: task.offer.targetVersion, package: pkg, at: now });
  return { topic: 'device-commands', key: state.deviceId, value };
}

export function logCollection(deviceId: string, kind: 'START_LOG_COLLECTION' | 'STOP_LOG_COLLECTION', now: number): DeviceOutput {
  return { topic: 'device-commands', key: deviceId, value: logCommand(deviceId, kind, now) };
}
