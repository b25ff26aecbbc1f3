import type { CampaignCommand, CampaignRequest } from '../../contracts/campaign-commands.ts';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import { campaignEvent, type EventFields } from '../../contracts/campaign-events.ts';
import { partKey, type PartMessage } from '../../contracts/campaign-parts.ts';
import type { OfferTerms } from '../../contracts/common.ts';
import type { Publish } from '../../contracts/index.ts';
import type { PilotAnswer } from '../../contracts/pilot-answers.ts';
import { pilotKey, type PilotRequest } from '../../contracts/pilot-requests.ts';
import { VERBOSE_KEY, type VerboseRequest } from '../../contracts/verbose-requests.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';
import { PILOT_MAX_DEVICES } from '../pilot/pilot-actor.ts';
import { packageProblem } from './package-ref.ts';
import { campaignEnd, campaignStart, scheduleProblem, v1OnDemandStartDeadline } from './schedule.ts';

/**
 * The campaign actor (key: campaignId) runs one campaign's lifecycle — R-LC-1 for v1
 * (LWM2M/OMA-DM), R-LC-2 for v2 (HTTP, and MQTT by decision) — and publishes every
 * transition and every command's answer (R-LC-3). It keeps counts only: the device list
 * lives in campaign-part actors (members service), acceptance is decided by each
 * device's own actor (R-REQ-4, R-DEV-3), and each decision and result arrives once in
 * effect. Start and end are deadlines in the state, fired by the runtime's durable
 * wake-ups (R-LC-4).
 */
export type CampaignStatus =
  | 'RequestPending'
  | 'RequestFailed'
  | 'Queued'
  | 'Scheduled'
  | 'InProgress'
  | 'Finished'
  | 'Ended'
  | 'UpgradeFailed'
  | 'Cancelled'
  | 'Aborted';

export interface CampaignState {
  readonly campaignId: string;
  readonly status: CampaignStatus | null;
  readonly request: CampaignRequest | null;
  readonly requestedAt: number;
  readonly startAt: number | null;
  readonly endAt: number | null;
  readonly parts: number;
  readonly partsReceived: number;
  readonly deviceCount: number;
  readonly offered: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly aborted: number;
  /** R-PILOT-1/2: HTTP campaigns wait for the pilot gate before offering ("asked"). */
  readonly gate: 'none' | 'asked' | 'open';
  readonly pilot: boolean;
}

export type CampaignInput =
  | { readonly kind: 'command'; readonly command: CampaignCommand }
  | { readonly kind: 'decision'; readonly decision: DeviceDecision }
  | { readonly kind: 'result'; readonly result: DeviceResult }
  | { readonly kind: 'pilot'; readonly answer: PilotAnswer };

export type CampaignOutput = Publish<'campaign-events' | 'campaign-parts' | 'pilot-requests' | 'verbose-requests'>;

type D = Decision<CampaignState, CampaignOutput>;

export const terminal: ReadonlySet<CampaignStatus> = new Set(['RequestFailed', 'Finished', 'Ended', 'UpgradeFailed', 'Cancelled', 'Aborted']);
const running = (s: CampaignState) => s.status === 'InProgress' || s.status === 'Scheduled';
const finals = (s: CampaignState) => s.succeeded + s.failed + s.cancelled + s.aborted;
const onDemandV1 = (s: CampaignState) => s.status === 'RequestPending' && s.request?.api === 'V1' && s.request.schedule.kind === 'ON_DEMAND';

export const campaignActor: ActorType<CampaignState, CampaignInput, CampaignOutput> = {
  name: 'campaign',
  initial: (campaignId) => ({
    campaignId,
    status: null,
    request: null,
    requestedAt: 0,
    startAt: null,
    endAt: null,
    parts: 0,
    partsReceived: 0,
    deviceCount: 0,
    offered: 0,
    accepted: 0,
    rejected: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    aborted: 0,
    gate: 'none',
    pilot: false,
  }),
  wakeAt: (s) => {
    if (s.status === 'Queued') return s.startAt ?? undefined;
    if (running(s)) return s.endAt ?? undefined;
    return onDemandV1(s) ? v1OnDemandStartDeadline(s.requestedAt) : undefined;
  },
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return onWake(state, now);
      case 'command':
        return onCommand(state, input.command, now);
      case 'decision':
        return onDecision(state, input.decision.deviceId, input.decision.status, input.decision.detail, now);
      case 'result':
        return onResult(state, input.result, now);
      case 'pilot':
        return onPilotAnswer(state, input.answer, now);
    }
  },
};

/**
 * R-REQ-3, R-REQ-5: parameters that fail put the campaign in RequestFailed, never clamped.
 * parseCommand has already refused what cannot be a request (lengths, control characters,
 * NaN, a device list over MAX_DEVICE_IDS).
 */
export function requestProblem(request: CampaignRequest, command: Pick<CampaignCommand, 'deviceIds' | 'parts' | 'deviceCount'>): string | undefined {
  const { deviceIds, parts, deviceCount } = command;
  if (deviceIds.length === 0) return 'deviceIds: the request names no device';
  if (new Set(deviceIds).size !== deviceIds.length) return 'deviceIds: the request names a device twice';
  if (!Number.isInteger(parts) || parts < 1) return `parts must be at least 1, got ${parts}`;
  if (parts > 1 && (deviceCount === null || deviceCount < deviceIds.length)) return 'deviceCount: a request in several parts must give the total number of devices';
  if (parts === 1 && deviceCount !== null && deviceCount !== deviceIds.length) return `deviceCount ${deviceCount} differs from the ${deviceIds.length} devices named`;
  if (request.retry) {
    const { attempts, intervalMinutes } = request.retry;
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > 5) return `retry.attempts must be 0–5, got ${attempts}`;
    if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1 || intervalMinutes > 1440) return `retry.intervalMinutes must be 1–1440, got ${intervalMinutes}`;
  }
  for (const field of ['make', 'model'] as const) if (!request[field].trim()) return `${field} is empty`;
  if (request.fromVersions.length === 0) return 'fromVersions: the request names no current version to upgrade from';
  const blank = request.fromVersions.findIndex((v) => !v.trim());
  if (blank >= 0) return `fromVersions[${blank}] is empty`;
  if (!request.targetVersion.trim()) return 'targetVersion is empty';
  const packaged = packageProblem(request.package);
  if (packaged) return `package.${packaged}`;
  const total = deviceCount ?? deviceIds.length;
  if (request.pilot && total > PILOT_MAX_DEVICES) return `pilot: a pilot campaign may name at most ${PILOT_MAX_DEVICES} devices, got ${total}`;
  if ((request.api === 'V1') !== (request.protocol === 'LWM2M' || request.protocol === 'OMA_DM')) {
    return `api ${request.api} does not drive ${request.protocol} devices (v1: LWM2M, OMA_DM; v2: HTTP, MQTT)`;
  }
  return undefined;
}

function onCommand(state: CampaignState, command: CampaignCommand, now: number): D {
  const refuse = (reason: string): D => ({ state: state.status === null ? undefined : state, outputs: [answer(state, command, 'COMMAND_REFUSED', reason, now)] });
  const campaignCommand = command.type === 'CANCEL' || command.type === 'ABORT' || command.type === 'REMOVE_DEVICES';
  if (campaignCommand && state.status === null) return refuse(`unknown campaign ${state.campaignId}`);
  switch (command.type) {
    case 'SCHEDULE':
      return command.part === 0 ? schedule(state, command, now) : schedulePart(state, command, now);
    case 'CANCEL': {
      // R-LC-1: a v1 campaign is cancelled before it starts; R-LC-2: a v2 one while Queued.
      if (state.status !== 'RequestPending' && state.status !== 'Queued') {
        return refuse(`a campaign can be cancelled only before it starts; it is ${state.status}${state.request?.api === 'V2' && running(state) ? ' (use ABORT)' : ''}`);
      }
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', 'every accepted device gets CampaignCancelled', now)];
      return { state: transition(state, 'Cancelled', 'cancelled by user', now, outputs), outputs: [...outputs, ...controlParts(state, 'cancel', now)] };
    }
    case 'ABORT': {
      if (state.request?.api !== 'V2') return refuse('ABORT applies to v2 campaigns; cancel a v1 campaign before it starts');
      if (!running(state)) return refuse(`a v2 campaign can be aborted after its start and before its end; it is ${state.status}`);
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', 'devices already upgraded stay upgraded, the rest get CampaignAborted', now)];
      return { state: transition(state, 'Aborted', 'aborted by user', now, outputs), outputs: [...outputs, ...controlParts(state, 'abort', now)] };
    }
    case 'REMOVE_DEVICES': {
      if (state.status !== 'RequestPending' && state.status !== 'Queued') return refuse(`devices can be removed only before the campaign starts; it is ${state.status}`);
      if (command.deviceIds.length === 0) return refuse('deviceIds: name at least one device to remove');
      const removals = partsOf(state).map((part): CampaignOutput => partMessage(state, part, { type: 'remove', campaignId: state.campaignId, part, deviceIds: command.deviceIds, at: now }));
      const effect = `${command.deviceIds.length} devices leave the campaign with CampaignCancelled; removing every device cancels it`;
      return { state, outputs: [answer(state, command, 'COMMAND_ACCEPTED', effect, now), ...removals] };
    }
    case 'ENABLE_VERBOSE_LOGGING':
    case 'DISABLE_VERBOSE_LOGGING':
    case 'FETCH_VERBOSE_LOGS': {
      // R-LOG-1: one fleet-wide budget, so the verbose logging actor decides and answers.
      const type = ({ ENABLE_VERBOSE_LOGGING: 'enable', DISABLE_VERBOSE_LOGGING: 'disable', FETCH_VERBOSE_LOGS: 'fetch' } as const)[command.type];
      const request: VerboseRequest = { type, commandId: command.commandId, campaignId: state.campaignId, deviceIds: command.deviceIds, at: now };
      return { state: state.status === null ? undefined : state, outputs: [{ topic: 'verbose-requests', key: VERBOSE_KEY, value: request }] };
    }
  }
}

function schedule(state: CampaignState, command: CampaignCommand, now: number): D {
  if (state.status !== null) return { state, outputs: [answer(state, command, 'COMMAND_REFUSED', `campaign ${state.campaignId} already exists (${state.status})`, now)] };
  const request = command.request!;
  const deviceCount = command.deviceCount ?? command.deviceIds.length;
  const base: CampaignState = { ...state, request, requestedAt: now, parts: command.parts, deviceCount };
  const outputs: CampaignOutput[] = [answer(base, command, 'COMMAND_ACCEPTED', 'campaign requested', now, deviceCount)];
  const problem = requestProblem(request, command) ?? scheduleProblem(request.api, request.schedule, now);
  if (problem) {
    // R-LC-2: a v2 request that fails its checks may bypass RequestPending.
    const pending = request.api === 'V2' ? base : transition(base, 'RequestPending', 'campaign requested', now, outputs);
    return { state: transition(pending, 'RequestFailed', problem, now, outputs), outputs };
  }
  const startAt = campaignStart(request.api, request.schedule, now);
  const gated = request.protocol === 'HTTP';
  const pending = transition({ ...base, startAt, endAt: campaignEnd(request.api, request.schedule, startAt), gate: gated ? 'asked' : 'none' }, 'RequestPending', 'campaign requested', now, outputs);
  if (gated) {
    const question: PilotRequest = { type: 'gate', campaignId: state.campaignId, make: request.make, model: request.model, targetVersion: request.targetVersion, deviceCount, at: now };
    outputs.push({ topic: 'pilot-requests', key: pilotKey(request.make, request.model, request.targetVersion), value: question });
  }
  return settle(addPart(pending, command.deviceIds, now, outputs), now, outputs);
}

function onPilotAnswer(state: CampaignState, answer: PilotAnswer, now: number): D {
  if (state.status !== 'RequestPending' || state.gate !== 'asked') return { state, outputs: [] };
  const outputs: CampaignOutput[] = [];
  if (!answer.open) {
    // R-PILOT-2: the parts were held back; dropping them offers nothing to any device.
    const failed = transition(state, 'RequestFailed', 'pilot campaign required', now, outputs);
    return { state: failed, outputs: [...outputs, ...controlParts(state, 'cancel', now)] };
  }
  const s = { ...state, gate: 'open' as const, pilot: answer.pilot };
  for (const part of partsOf(s)) outputs.push(partMessage(s, part, { type: 'offer', campaignId: s.campaignId, part, at: now }));
  return { state: s, outputs };
}

/** R-PILOT-2: a pilot's counts go to its gate as they change ("counted as results arrive"). */
function pilotProgress(s: CampaignState, now: number): CampaignOutput[] {
  if (!s.pilot) return [];
  const r = s.request!;
  const value: PilotRequest = { type: 'progress', campaignId: s.campaignId, accepted: s.accepted, succeeded: s.succeeded, failed: s.failed + s.cancelled + s.aborted, at: now };
  return [{ topic: 'pilot-requests', key: pilotKey(r.make, r.model, r.targetVersion), value }];
}

function schedulePart(state: CampaignState, command: CampaignCommand, now: number): D {
  const refuse = (reason: string): D => ({ state, outputs: [answer(state, command, 'COMMAND_REFUSED', reason, now)] });
  if (state.status !== 'RequestPending') return refuse(`SCHEDULE part ${command.part} arrived while the campaign is ${state.status}`);
  if (command.part !== state.partsReceived) return refuse(`expected SCHEDULE part ${state.partsReceived}, got part ${command.part}`);
  if (state.offered + command.deviceIds.length > state.deviceCount) return refuse(`deviceIds: the parts name more than the ${state.deviceCount} devices declared`);
  const outputs: CampaignOutput[] = [answer(state, command, 'COMMAND_ACCEPTED', `part ${command.part} of ${state.parts}: ${command.deviceIds.length} devices`, now)];
  return settle(addPart(state, command.deviceIds, now, outputs), now, outputs);
}

function addPart(state: CampaignState, deviceIds: readonly string[], now: number, outputs: CampaignOutput[]): CampaignState {
  const part = state.partsReceived;
  outputs.push(partMessage(state, part, { type: 'members', campaignId: state.campaignId, part, deviceIds, terms: terms(state.request!), offerNow: state.gate !== 'asked', at: now }));
  return { ...state, partsReceived: part + 1, offered: state.offered + deviceIds.length };
}

function terms(r: CampaignRequest): OfferTerms {
  const { api, protocol, make, model, fromVersions, targetVersion, packageKind, retry } = r;
  const { window, downloadWindow, applyWindow } = r.schedule;
  return { api, protocol, make, model, fromVersions, targetVersion, packageKind, package: r.package, retry, windows: { update: window, download: downloadWindow, apply: applyWindow } };
}

function onDecision(state: CampaignState, deviceId: string, status: 'Accepted' | 'DeviceRejected' | 'Duplicate', detail: string, now: number): D {
  if (state.status === null) return { state: undefined, outputs: [] };
  if (status === 'Duplicate') return settle({ ...state, offered: state.offered - 1, deviceCount: state.deviceCount - 1 }, now, []);
  const s = status === 'Accepted' ? { ...state, accepted: state.accepted + 1 } : { ...state, rejected: state.rejected + 1 };
  const progress = status === 'Accepted' ? pilotProgress(s, now) : [];
  return settle(s, now, [event(s, now, { type: 'DEVICE_DECISION', deviceId, deviceStatus: status, detail }), ...progress]);
}

function onResult(state: CampaignState, result: DeviceResult, now: number): D {
  if (state.status === null) return { state: undefined, outputs: [] };
  const field = ({ UpgradeSuccess: 'succeeded', UpgradeFailed: 'failed', CampaignCancelled: 'cancelled', CampaignAborted: 'aborted' } as const)[result.status];
  const s = { ...state, [field]: state[field] + 1 };
  const outputs: CampaignOutput[] = pilotProgress(s, now);
  // R-LC-2: a v2 campaign is InProgress once devices are being updated.
  const progressed = s.status === 'Scheduled' ? transition(s, 'InProgress', 'devices are being updated', now, outputs) : s;
  return settle(progressed, now, outputs);
}

function onWake(state: CampaignState, now: number): D {
  const outputs: CampaignOutput[] = [];
  // R-LC-4: an on-demand v1 campaign starts within 2 hours, with the devices accepted by then.
  if (onDemandV1(state) && v1OnDemandStartDeadline(state.requestedAt) <= now && state.partsReceived === state.parts && state.accepted > 0) {
    const queued = transition(state, 'Queued', 'checks passed for the devices decided within 2 hours', now, outputs);
    return settle(queued, now, outputs);
  }
  if (running(state) && state.endAt !== null && state.endAt <= now) {
    const ended = transition(state, state.request!.api === 'V2' ? 'Ended' : 'Finished', 'end date reached', now, outputs);
    return { state: ended, outputs: [...outputs, ...controlParts(state, 'end', now)] };
  }
  return settle(state, now, outputs);
}

/** Moves the campaign on as far as its counts and the clock allow. */
function settle(state: CampaignState, now: number, outputs: CampaignOutput[]): D {
  let s = state;
  if (s.status === 'RequestPending' && s.partsReceived === s.parts && s.accepted + s.rejected >= s.deviceCount) {
    if (s.accepted === 0) return { state: transition(s, 'RequestFailed', 'no device was accepted', now, outputs), outputs };
    const api = s.request!.api;
    // R-LC-2: an on-demand v2 campaign bypasses Queued.
    s = transition(s, api === 'V2' && s.request!.schedule.kind === 'ON_DEMAND' ? 'Scheduled' : 'Queued', 'checks passed', now, outputs);
    if (s.status === 'Scheduled') outputs.push(...controlParts(s, 'start', now));
  }
  const decided = s.accepted + s.rejected >= s.deviceCount && s.partsReceived === s.parts;
  if (s.status === 'Queued' && decided && s.accepted > 0 && s.cancelled >= s.accepted) {
    // R-LC-1: removing every device of a queued campaign cancels it.
    return { state: transition(s, 'Cancelled', 'every device was removed', now, outputs), outputs };
  }
  if (s.status === 'Queued' && s.startAt !== null && s.startAt <= now) {
    s = transition(s, s.request!.api === 'V2' ? 'Scheduled' : 'InProgress', 'start date reached', now, outputs);
    outputs.push(...controlParts(s, 'start', now));
  }
  if (running(s) && decided && finals(s) >= s.accepted) {
    s = transition(s, s.request!.api === 'V2' ? 'Ended' : 'Finished', 'every device is final', now, outputs);
  }
  return { state: s, outputs };
}

const partsOf = (s: CampaignState) => Array.from({ length: s.partsReceived }, (_, i) => i);

function partMessage(s: CampaignState, part: number, value: PartMessage): CampaignOutput {
  return { topic: 'campaign-parts', key: partKey(s.campaignId, part), value };
}

function controlParts(s: CampaignState, action: 'start' | 'cancel' | 'abort' | 'end', now: number): CampaignOutput[] {
  return partsOf(s).map((part) => partMessage(s, part, { type: 'control', campaignId: s.campaignId, part, action, at: now }));
}

function transition(s: CampaignState, to: CampaignStatus, reason: string, now: number, outputs: CampaignOutput[]): CampaignState {
  const next = { ...s, status: to };
  outputs.push(event(next, now, { type: 'STATE_CHANGED', from: s.status, to, reason }));
  return next;
}

function answer(s: CampaignState, command: CampaignCommand, type: 'COMMAND_ACCEPTED' | 'COMMAND_REFUSED', reason: string, now: number, deviceCount?: number): CampaignOutput {
  return event(s, now, { type, commandId: command.commandId, reason: `${command.type}: ${reason}`, ...(deviceCount === undefined ? {} : { deviceCount }) });
}

function event(s: CampaignState, at: number, f: EventFields): CampaignOutput {
  return { topic: 'campaign-events', key: s.campaignId, value: campaignEvent(s.campaignId, s.request, at, f) };
}
