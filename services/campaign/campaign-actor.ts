import { rolloutOf, type CampaignCommand, type CampaignRequest } from '../../contracts/campaign-commands.ts';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import { campaignEvent, type EventFields } from '../../contracts/campaign-events.ts';
import { DYNAMIC_PARTS, dynamicPart, partKey, type PartMessage } from '../../contracts/campaign-parts.ts';
import type { OfferTerms } from '../../contracts/common.ts';
import type { DynamicCampaignRecord } from '../../contracts/dynamic-campaigns.ts';
import { MAX_DEVICE_IDS } from '../../contracts/input-limits.ts';
import type { Publish } from '../../contracts/index.ts';
import type { PilotAnswer } from '../../contracts/pilot-answers.ts';
import { pilotKey, type PilotRequest } from '../../contracts/pilot-requests.ts';
import { VERBOSE_KEY, type VerboseRequest } from '../../contracts/verbose-requests.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';
import { PILOT_MAX_DEVICES } from '../pilot/pilot-actor.ts';
import { needsApproval, policyRefusal, type CommandPolicy } from './command-policy.ts';
import { packageProblem } from './package-ref.ts';
import { estimateCompletion } from './estimate.ts';
import { MINUTE, nextRoomAt, rateInForce, recent, room } from './rate.ts';
import { abortReason, cellsOf, countCell, isTimeout, newRollout, rolloutProblem, unreleased, waveComplete, wavesOf, waveSummary, type RolloutState, type WaveCount } from './rollout.ts';
import { campaignEnd, campaignStart, scheduleProblem, v1OnDemandStartDeadline } from './schedule.ts';

/**
 * The campaign actor (key: campaignId) runs one campaign's lifecycle — R-LC-1 for v1
 * (LWM2M/OMA-DM), R-LC-2 for v2 (HTTP, and MQTT by decision) — and publishes every
 * transition and every command's answer (R-LC-3). It keeps counts only: the device list
 * lives in campaign-part actors (members service), acceptance is decided by each
 * device's own actor (R-REQ-4, R-DEV-3), and each decision and result arrives once in
 * effect. Start and end are deadlines in the state, fired by the runtime's durable
 * wake-ups (R-LC-4).
 *
 * Devices start only as the campaign releases them to the parts (R-SAFE-2/3/4, rollout.ts):
 * at its start every device of the first wave, or as many as the start rate allows, the rest
 * on wake-ups when the last minute's releases leave room, the next wave when the previous one
 * met its success threshold; nothing while paused. Abort criteria (R-SAFE-1) are checked at
 * every result, and the completion estimate (R-SAFE-6) is published once a minute or at every
 * 5 % more final devices.
 *
 * Every command is first checked against the command policy (R-SEC-2); a campaign the policy
 * holds for four eyes passes its checks to Queued and starts only after APPROVE by a principal
 * other than the one who scheduled it.
 *
 * A dynamic campaign (R-SAFE-5) publishes its offer terms to the device service's catalog when it
 * starts and withdraws them at its end, however it ends; devices that take it at a check-in join
 * one of its dynamic parts and start as it releases them, like the devices of its list. It ends at
 * its end date (or by cancel, abort, abort criteria), never because its current devices are final.
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
  | 'Aborted'
  | 'Paused';

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
  /** R-SAFE-1..4, 6; absent in states written before rollouts (their devices start all at once). */
  readonly rollout?: RolloutState;
  /** R-SEC-2: who scheduled the campaign; absent in states written before principals. */
  readonly principal?: string | null;
  /** R-SEC-2: present when the campaign needs a second principal's APPROVE; `by` null until then. */
  readonly approval?: { readonly by: string | null };
  /** R-SAFE-5: devices that joined the dynamic campaign at a check-in (counted in deviceCount, offered and accepted too). */
  readonly joined?: number;
}

export type CampaignInput =
  | { readonly kind: 'command'; readonly command: CampaignCommand }
  | { readonly kind: 'decision'; readonly decision: DeviceDecision }
  | { readonly kind: 'result'; readonly result: DeviceResult }
  | { readonly kind: 'pilot'; readonly answer: PilotAnswer };

export type CampaignOutput = Publish<'campaign-events' | 'campaign-parts' | 'pilot-requests' | 'verbose-requests' | 'dynamic-campaigns'>;

type D = Decision<CampaignState, CampaignOutput>;

export const terminal: ReadonlySet<CampaignStatus> = new Set(['RequestFailed', 'Finished', 'Ended', 'UpgradeFailed', 'Cancelled', 'Aborted']);
/** Started and not over; a paused campaign is running too: its end date applies (R-SAFE-4). */
const running = (s: CampaignState) => s.status === 'InProgress' || s.status === 'Scheduled' || s.status === 'Paused';
/** Running and not paused: devices may be released. */
const releasing = (s: CampaignState) => s.status === 'InProgress' || s.status === 'Scheduled';
const finals = (s: CampaignState) => s.succeeded + s.failed + s.cancelled + s.aborted;
const isDynamic = (s: CampaignState) => s.request !== null && rolloutOf(s.request).dynamic;
/** R-SAFE-5: its catalog record is published and its dynamic parts exist from its start on. */
const dynamicOpen = (s: CampaignState) => isDynamic(s) && s.rollout !== undefined && s.rollout.startedAt !== null;
/** R-SAFE-5: the dynamic devices a campaign takes: DYNAMIC_PARTS parts of a list's size. */
export const MAX_JOINED = DYNAMIC_PARTS * MAX_DEVICE_IDS;
const onDemandV1 = (s: CampaignState) => s.status === 'RequestPending' && s.request?.api === 'V1' && s.request.schedule.kind === 'ON_DEMAND';
const awaitingApproval = (s: CampaignState) => s.approval?.by === null;

/** The campaign actor under a command policy (R-SEC-2). */
export const campaignActor = (policy: CommandPolicy): ActorType<CampaignState, CampaignInput, CampaignOutput> => ({
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
    if (s.status === 'Queued') return awaitingApproval(s) ? undefined : (s.startAt ?? undefined);
    if (running(s)) {
      const tick = nextReleaseAt(s);
      return s.endAt === null ? tick : Math.min(s.endAt, tick ?? Infinity);
    }
    return onDemandV1(s) ? v1OnDemandStartDeadline(s.requestedAt) : undefined;
  },
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return onWake(state, now);
      case 'command':
        return onCommand(state, input.command, now, policy);
      case 'decision':
        return onDecision(state, input.decision, now);
      case 'result':
        return onResult(state, input.result, now);
      case 'pilot':
        return onPilotAnswer(state, input.answer, now);
    }
  },
});

/**
 * R-REQ-3, R-REQ-5: parameters that fail put the campaign in RequestFailed, never clamped.
 * parseCommand has already refused what cannot be a request (lengths, control characters,
 * NaN, a device list over MAX_DEVICE_IDS).
 */
export function requestProblem(request: CampaignRequest, command: Pick<CampaignCommand, 'deviceIds' | 'parts' | 'deviceCount'>): string | undefined {
  const { deviceIds, parts, deviceCount } = command;
  const dynamic = rolloutOf(request).dynamic;
  // R-SAFE-5: a dynamic campaign may start with no device and take them as they check in.
  if (deviceIds.length === 0 && !dynamic) return 'deviceIds: the request names no device';
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
  if (dynamic && request.schedule.endAt === null) return 'schedule.endAt: a dynamic campaign needs an end date (devices join it until then)';
  if (dynamic && request.pilot) return 'pilot: a dynamic campaign has no bound on its devices, so it cannot be a pilot';
  if ((request.api === 'V1') !== (request.protocol === 'LWM2M' || request.protocol === 'OMA_DM')) {
    return `api ${request.api} does not drive ${request.protocol} devices (v1: LWM2M, OMA_DM; v2: HTTP, MQTT)`;
  }
  return rolloutProblem(rolloutOf(request));
}

function onCommand(state: CampaignState, command: CampaignCommand, now: number, policy: CommandPolicy): D {
  const refuse = (reason: string): D => ({ state: state.status === null ? undefined : state, outputs: [answer(state, command, 'COMMAND_REFUSED', reason, now)] });
  const principal = command.principal ?? null;
  const denied = policyRefusal(policy, command.type, principal);
  if (denied) return refuse(denied);
  const campaignCommand = command.type !== 'SCHEDULE' && command.type !== 'ENABLE_VERBOSE_LOGGING' && command.type !== 'DISABLE_VERBOSE_LOGGING' && command.type !== 'FETCH_VERBOSE_LOGS';
  if (campaignCommand && state.status === null) return refuse(`unknown campaign ${state.campaignId}`);
  switch (command.type) {
    case 'SCHEDULE':
      return command.part === 0 ? schedule(state, command, now, policy) : schedulePart(state, command, now);
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
      // Decision (README): a removed device's wave is not known to the campaign, which counts waves to move on.
      if ((state.rollout?.waves.length ?? 1) > 1) return refuse('devices cannot be removed from a campaign in waves; cancel it and schedule it again');
      const removals = partsOf(state).map((part): CampaignOutput => partMessage(state, part, { type: 'remove', campaignId: state.campaignId, part, deviceIds: command.deviceIds, at: now }));
      const effect = `${command.deviceIds.length} devices leave the campaign with CampaignCancelled; removing every device cancels it`;
      return { state, outputs: [answer(state, command, 'COMMAND_ACCEPTED', effect, now), ...removals] };
    }
    case 'PAUSE': {
      // R-SAFE-4: no device starts while paused; those released finish.
      if (!releasing(state)) return refuse(`only a running campaign can be paused; it is ${state.status}`);
      if (!state.rollout) return refuse('the campaign started every device at once, before rollouts existed: nothing is left to hold back');
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', 'no device starts until RESUME; devices already started finish', now)];
      return { state: pause(state, 'paused by user', now, outputs), outputs };
    }
    case 'RESUME': {
      if (state.status !== 'Paused') return refuse(`only a paused campaign can be resumed; it is ${state.status}`);
      const r = state.rollout!;
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', r.waiting === 'missed' ? `wave ${r.wave + 2} starts although wave ${r.wave + 1} missed its threshold` : 'devices start again', now)];
      const resumed = transition({ ...state, rollout: { ...r, resumeTo: null } }, r.resumeTo ?? 'InProgress', 'resumed by user', now, outputs);
      const next = r.waiting === 'missed' ? startWave(resumed, r.wave + 1, `resumed by user after wave ${r.wave + 1} missed its threshold`, now, outputs) : resumed;
      return settle(next, now, outputs);
    }
    case 'NEXT_WAVE': {
      // R-SAFE-3: a campaign whose waves wait for the operator moves on only when told.
      const r = state.rollout;
      if (!running(state) || r?.waiting !== 'operator') {
        return refuse(r?.waiting === 'missed' ? `wave ${r.wave + 1} missed its threshold and paused the campaign: RESUME starts the next wave` : `no wave waits for NEXT_WAVE; the campaign is ${state.status}${r && r.waves.length > 1 ? `, in wave ${r.wave + 1} of ${r.waves.length}` : ''}`);
      }
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', `wave ${r.wave + 2} of ${r.waves.length} starts`, now)];
      return settle(startWave(state, r.wave + 1, 'NEXT_WAVE by operator', now, outputs), now, outputs);
    }
    case 'APPROVE': {
      // R-SEC-2: four eyes, the approver is not the principal who scheduled the campaign.
      if (!state.approval) return refuse('the campaign needs no approval');
      if (state.approval.by !== null) return refuse(`the campaign was already approved by ${JSON.stringify(state.approval.by)}`);
      if (state.status !== 'RequestPending' && state.status !== 'Queued') return refuse(`only a campaign that has not started can be approved; it is ${state.status}`);
      if (!principal) return refuse('an approval must name its principal');
      if (principal === state.principal) return refuse(`four eyes: ${JSON.stringify(principal)} scheduled the campaign, so another principal must approve it`);
      const outputs = [answer(state, command, 'COMMAND_ACCEPTED', `approved by ${JSON.stringify(principal)}; the campaign starts when its checks pass and its start date comes`, now)];
      return settle({ ...state, approval: { by: principal } }, now, outputs);
    }
    case 'ENABLE_VERBOSE_LOGGING':
    case 'DISABLE_VERBOSE_LOGGING':
    case 'FETCH_VERBOSE_LOGS': {
      // R-LOG-1: one fleet-wide budget, so the verbose logging actor decides and answers.
      const type = ({ ENABLE_VERBOSE_LOGGING: 'enable', DISABLE_VERBOSE_LOGGING: 'disable', FETCH_VERBOSE_LOGS: 'fetch' } as const)[command.type];
      const request: VerboseRequest = { type, commandId: command.commandId, campaignId: state.campaignId, deviceIds: command.deviceIds, at: now, principal: command.principal ?? null };
      return { state: state.status === null ? undefined : state, outputs: [{ topic: 'verbose-requests', key: VERBOSE_KEY, value: request }] };
    }
  }
}

function schedule(state: CampaignState, command: CampaignCommand, now: number, policy: CommandPolicy): D {
  if (state.status !== null) return { state, outputs: [answer(state, command, 'COMMAND_REFUSED', `campaign ${state.campaignId} already exists (${state.status})`, now)] };
  const request = command.request!;
  const deviceCount = command.deviceCount ?? command.deviceIds.length;
  const principal = command.principal ?? null;
  // R-SAFE-5: a dynamic campaign has no bound on its devices, so four eyes apply whatever its list.
  const dynamic = rolloutOf(request).dynamic;
  const fourEyes = needsApproval(policy, dynamic ? Infinity : deviceCount);
  const base: CampaignState = { ...state, request, requestedAt: now, parts: command.parts, deviceCount, principal, ...(fourEyes ? { approval: { by: null } } : {}) };
  const approval = fourEyes ? `; it starts only after APPROVE by a principal other than ${JSON.stringify(principal)} (four eyes from ${policy.approvalFromDevices} devices${dynamic ? '; a dynamic campaign has no bound' : ''})` : '';
  const outputs: CampaignOutput[] = [answer(base, command, 'COMMAND_ACCEPTED', `campaign requested${approval}`, now, deviceCount)];
  const problem = requestProblem(request, command) ?? scheduleProblem(request.api, request.schedule, now);
  if (problem) {
    // R-LC-2: a v2 request that fails its checks may bypass RequestPending.
    const pending = request.api === 'V2' ? base : transition(base, 'RequestPending', 'campaign requested', now, outputs);
    return { state: transition(pending, 'RequestFailed', problem, now, outputs), outputs };
  }
  const startAt = campaignStart(request.api, request.schedule, now);
  const gated = request.protocol === 'HTTP';
  const pending = transition({ ...base, startAt, endAt: campaignEnd(request.api, request.schedule, startAt), gate: gated ? 'asked' : 'none', rollout: newRollout(request) }, 'RequestPending', 'campaign requested', now, outputs);
  if (gated) {
    // R-SAFE-5: a dynamic campaign's devices have no bound: never a pilot.
    const gateCount = rolloutOf(request).dynamic ? Number.MAX_SAFE_INTEGER : deviceCount;
    const question: PilotRequest = { type: 'gate', campaignId: state.campaignId, make: request.make, model: request.model, targetVersion: request.targetVersion, deviceCount: gateCount, at: now };
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
  // A dynamic campaign without a list has no decision to wait for.
  return settle(s, now, outputs);
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
  if ((command.principal ?? null) !== (state.principal ?? null)) return refuse(`part ${command.part} names principal ${JSON.stringify(command.principal ?? null)}; the campaign was scheduled by ${JSON.stringify(state.principal ?? null)}`);
  if (state.offered + command.deviceIds.length > state.deviceCount) return refuse(`deviceIds: the parts name more than the ${state.deviceCount} devices declared`);
  const outputs: CampaignOutput[] = [answer(state, command, 'COMMAND_ACCEPTED', `part ${command.part} of ${state.parts}: ${command.deviceIds.length} devices`, now)];
  return settle(addPart(state, command.deviceIds, now, outputs), now, outputs);
}

function addPart(state: CampaignState, deviceIds: readonly string[], now: number, outputs: CampaignOutput[]): CampaignState {
  const part = state.partsReceived;
  const r = state.rollout!;
  // R-SAFE-3: the part learns each device's wave; the campaign keeps how many of each it may release.
  const waves = wavesOf(rolloutOf(state.request!), deviceIds, state.offered, state.deviceCount);
  const named = r.waves.map((_, w) => waves.filter((x) => x === w).length);
  const rollout: RolloutState = { ...r, pool: [...r.pool, named], waves: r.waves.map((c, w) => ({ ...c, named: c.named + named[w]! })) };
  outputs.push(partMessage(state, part, { type: 'members', campaignId: state.campaignId, part, deviceIds, terms: terms(state.request!), offerNow: state.gate !== 'asked', ...(r.waves.length > 1 ? { waves } : {}), at: now }));
  return { ...state, partsReceived: part + 1, offered: state.offered + deviceIds.length, rollout };
}

function terms(r: CampaignRequest): OfferTerms {
  const { api, protocol, make, model, fromVersions, targetVersion, packageKind, retry } = r;
  const { window, downloadWindow, applyWindow } = r.schedule;
  return { api, protocol, make, model, fromVersions, targetVersion, packageKind, package: r.package, retry, windows: { update: window, download: downloadWindow, apply: applyWindow } };
}

function onDecision(state: CampaignState, decision: DeviceDecision, now: number): D {
  if (state.status === null) return { state: undefined, outputs: [] };
  if (decision.dynamic) return join(state, decision, now);
  const { deviceId, status, detail } = decision;
  const placed = placeDecision(state, decision, now);
  if (status === 'Duplicate') return settle({ ...placed.state, offered: state.offered - 1, deviceCount: state.deviceCount - 1 }, now, placed.outputs);
  const s = status === 'Accepted' ? { ...placed.state, accepted: state.accepted + 1 } : { ...placed.state, rejected: state.rejected + 1 };
  const progress = status === 'Accepted' ? pilotProgress(s, now) : [];
  return settle(s, now, [...placed.outputs, event(s, now, { type: 'DEVICE_DECISION', deviceId, deviceStatus: status, detail }), ...progress]);
}

/**
 * R-SAFE-5: a device took the dynamic campaign at a check-in. It is a member like the others —
 * counted, in its cell, in the dynamic part its id hashes to, which the campaign's controls
 * reach — and starts when released (rate, pause). One that took it after its end (its service's
 * catalog was behind) is told at once what the other devices were told when it ended.
 */
function join(state: CampaignState, d: DeviceDecision, now: number): D {
  const part = state.parts + dynamicPart(d.deviceId);
  const outputs: CampaignOutput[] = [partMessage(state, part, { type: 'add', campaignId: state.campaignId, part, deviceId: d.deviceId, at: now })];
  const r = state.rollout!;
  const pool = running(state) ? r.pool.map((p, i) => (i === part ? [p[0]! + 1] : p)) : r.pool;
  const waves = r.waves.map((c, w) => (w === 0 ? { ...c, named: c.named + 1, decided: c.decided + 1, accepted: c.accepted + 1 } : c));
  const rollout = countCell({ ...r, pool, waves }, d.cellId ?? null, { accepted: 1, limit: d.cellLimit ?? 0 });
  const joined = (state.joined ?? 0) + 1;
  const s: CampaignState = { ...state, deviceCount: state.deviceCount + 1, offered: state.offered + 1, accepted: state.accepted + 1, joined, rollout };
  const { make, model, fromVersions } = state.request!;
  const reason = `joined dynamically: checked in as a ${make} ${model} at one of ${fromVersions.join(', ')}, free of other tasks`;
  outputs.push(event(s, now, { type: 'DEVICE_DECISION', deviceId: d.deviceId, deviceStatus: d.status, detail: d.detail, reason, deviceCount: s.deviceCount }));
  if (!running(state)) {
    // A started campaign ends at its end date or aborted (a cancel comes before the start).
    const action = state.status === 'Aborted' ? 'halt' : 'end';
    outputs.push(partMessage(state, part, { type: 'control', campaignId: state.campaignId, part, action, at: now }));
    return { state: s, outputs };
  }
  if (joined === MAX_JOINED) outputs.push(catalogRecord(s, { type: 'closed', campaignId: s.campaignId, reason: `${MAX_JOINED} devices joined: the campaign takes no more`, at: now }));
  return settle(s, now, outputs);
}

/**
 * Counts a decision in its wave and cell (R-SAFE-3, 6). A device that will not take the campaign
 * leaves its part's pool, and its part is told to skip it, so no release is spent on it.
 */
function placeDecision(state: CampaignState, d: DeviceDecision, now: number): { state: CampaignState; outputs: CampaignOutput[] } {
  const r = state.rollout;
  if (!r || d.part === undefined) return { state, outputs: [] };
  const w = Math.min(d.wave ?? 0, r.waves.length - 1);
  const accepted = d.status === 'Accepted';
  const wave = (c: WaveCount): WaveCount => (d.status === 'Duplicate' ? { ...c, named: c.named - 1 } : { ...c, decided: c.decided + 1, accepted: c.accepted + (accepted ? 1 : 0) });
  let rollout: RolloutState = { ...r, waves: r.waves.map((c, i) => (i === w ? wave(c) : c)) };
  if (accepted) return { state: { ...state, rollout: countCell(rollout, d.cellId ?? null, { accepted: 1, limit: d.cellLimit ?? 0 }) }, outputs: [] };
  rollout = { ...rollout, pool: rollout.pool.map((p, part) => (part === d.part ? p.map((n, i) => (i === w ? Math.max(0, n - 1) : n)) : p)) };
  const skip = partMessage(state, d.part, { type: 'skip', campaignId: state.campaignId, part: d.part, deviceId: d.deviceId, at: now });
  return { state: { ...state, rollout }, outputs: [skip] };
}

function onResult(state: CampaignState, result: DeviceResult, now: number): D {
  if (state.status === null) return { state: undefined, outputs: [] };
  const field = ({ UpgradeSuccess: 'succeeded', UpgradeFailed: 'failed', CampaignCancelled: 'cancelled', CampaignAborted: 'aborted' } as const)[result.status];
  const s = { ...state, [field]: state[field] + 1, ...(state.rollout ? { rollout: countResult(state.rollout, result) } : {}) };
  const outputs: CampaignOutput[] = pilotProgress(s, now);
  // R-LC-2: a v2 campaign is InProgress once devices are being updated (a paused one resumes to it).
  let progressed = s.status === 'Scheduled' ? transition(s, 'InProgress', 'devices are being updated', now, outputs) : s;
  if (progressed.status === 'Paused' && progressed.rollout?.resumeTo === 'Scheduled') progressed = { ...progressed, rollout: { ...progressed.rollout, resumeTo: 'InProgress' } };
  // R-SAFE-1: met abort criteria stop the campaign handing out work; devices mid-upgrade finish.
  const criteria = s.request ? rolloutOf(s.request).abortCriteria : [];
  const reason = running(progressed) && s.rollout ? abortReason(criteria, { succeeded: s.succeeded, failed: s.failed, timedOut: s.rollout.timedOut }) : undefined;
  if (reason) {
    const aborted = transition(progressed, 'Aborted', reason, now, outputs);
    return { state: aborted, outputs: [...outputs, ...controlParts(aborted, 'halt', now)] };
  }
  return settle(progressed, now, outputs);
}

/**
 * A result in the current wave's counts — waves run one after another, so every result while a
 * wave is current is of its devices — in its cell's, and, for a timeout, in `timedOut`.
 */
function countResult(r: RolloutState, result: DeviceResult): RolloutState {
  const success = result.status === 'UpgradeSuccess';
  const waves = r.waves.map((c, i) => (i === r.wave ? { ...c, finals: c.finals + 1, succeeded: c.succeeded + (success ? 1 : 0) } : c));
  const timedOut = r.timedOut + (result.status === 'UpgradeFailed' && isTimeout(result.cause) ? 1 : 0);
  return countCell({ ...r, waves, timedOut }, result.cellId, { finalAt: result.at, heldMs: result.tokenHeldMs });
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
  if (s.status === 'RequestPending' && s.gate !== 'asked' && s.partsReceived === s.parts && s.accepted + s.rejected >= s.deviceCount) {
    if (s.accepted === 0 && !isDynamic(s)) return { state: transition(s, 'RequestFailed', 'no device was accepted', now, outputs), outputs };
    const api = s.request!.api;
    // R-LC-2: an on-demand v2 campaign bypasses Queued, unless it waits for approval (R-SEC-2).
    if (awaitingApproval(s)) s = transition(s, 'Queued', `checks passed; waiting for APPROVE by a principal other than ${JSON.stringify(s.principal ?? null)}`, now, outputs);
    else s = transition(s, api === 'V2' && s.request!.schedule.kind === 'ON_DEMAND' ? 'Scheduled' : 'Queued', 'checks passed', now, outputs);
    if (s.status === 'Scheduled') s = begin(s, now, outputs);
  }
  const decided = s.accepted + s.rejected >= s.deviceCount && s.partsReceived === s.parts;
  if (s.status === 'Queued' && decided && s.accepted > 0 && s.cancelled >= s.accepted) {
    // R-LC-1: removing every device of a queued campaign cancels it.
    return { state: transition(s, 'Cancelled', 'every device was removed', now, outputs), outputs };
  }
  if (s.status === 'Queued' && !awaitingApproval(s) && s.startAt !== null && s.startAt <= now) {
    const why = s.approval ? `start date reached, approved by ${JSON.stringify(s.approval.by)}` : 'start date reached';
    s = begin(transition(s, s.request!.api === 'V2' ? 'Scheduled' : 'InProgress', why, now, outputs), now, outputs);
  }
  if (running(s) && decided && finals(s) >= s.accepted && !isDynamic(s)) {
    s = transition(s, s.request!.api === 'V2' ? 'Ended' : 'Finished', 'every device is final', now, outputs);
  }
  if (running(s)) s = estimate(advanceWaves(release(s, now, outputs), now, outputs), now, outputs);
  return { state: s, outputs };
}

/** The campaign starts: its first releases follow in settle (a state from before rollouts starts every device). */
function begin(s: CampaignState, now: number, outputs: CampaignOutput[]): CampaignState {
  if (!s.rollout) {
    outputs.push(...controlParts(s, 'start', now));
    return s;
  }
  const started = { ...s, rollout: { ...s.rollout, startedAt: now } };
  return isDynamic(s) ? openDynamic(started, now, outputs) : started;
}

/** R-SAFE-5: devices may join from now on: the catalog learns the campaign, and its dynamic parts get pools (one wave). */
function openDynamic(s: CampaignState, now: number, outputs: CampaignOutput[]): CampaignState {
  outputs.push(catalogRecord(s, { type: 'open', campaignId: s.campaignId, terms: terms(s.request!), endAt: s.endAt!, at: now }));
  const r = s.rollout!;
  return { ...s, rollout: { ...r, pool: [...r.pool, ...Array.from({ length: DYNAMIC_PARTS }, () => [0])] } };
}

function catalogRecord(s: CampaignState, value: DynamicCampaignRecord): CampaignOutput {
  return { topic: 'dynamic-campaigns', key: s.campaignId, value };
}

/** R-SAFE-4: paused with its reason (an operator's, or a wave that missed its threshold); resumes to where it was. */
function pause(s: CampaignState, reason: string, now: number, outputs: CampaignOutput[]): CampaignState {
  const resumeTo = s.status === 'Scheduled' ? 'Scheduled' : 'InProgress';
  return transition({ ...s, rollout: { ...s.rollout!, resumeTo } }, 'Paused', reason, now, outputs);
}

/**
 * R-SAFE-2/3/4: releases as many devices of the current wave as the start rate leaves room for
 * (all of them without a cap), part by part in order; nothing while paused or while the wave
 * waits. A ramp counting notified devices may raise the rate with the release itself, so it
 * goes on until nothing more may start.
 */
function release(s: CampaignState, now: number, outputs: CampaignOutput[]): CampaignState {
  let r = s.rollout;
  if (!r || !releasing(s) || r.waiting !== null || r.startedAt === null) return s;
  const limit = rolloutOf(s.request!).rate;
  const w = r.wave;
  for (;;) {
    const rate = rateInForce(limit, { notified: r.released, succeeded: s.succeeded });
    if (rate !== r.rate) {
      const why = r.rate === null ? `start rate ${rate}/min` : `start rate raised from ${r.rate}/min to ${rate}/min after ${limit!.ramp!.counting === 'NOTIFIED' ? `${r.released} devices notified` : `${s.succeeded} devices succeeded`}`;
      outputs.push(event(s, now, { type: 'RATE_CHANGED', reason: `${why} (cap ${limit!.maxPerMinute}/min)`, ratePerMinute: rate }));
      r = { ...r, rate };
    }
    let left = room(r.window, now, rate);
    const counts: number[] = [];
    const pool: (readonly number[])[] = r.pool.map((p, part) => {
      const n = Math.min(p[w] ?? 0, left);
      left -= n;
      counts[part] = n;
      return n === 0 ? p : p.map((x, i) => (i === w ? x - n : x));
    });
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) break;
    counts.forEach((count, part) => count > 0 && outputs.push(partMessage(s, part, { type: 'release', campaignId: s.campaignId, part, wave: w, count, at: now })));
    const waves: WaveCount[] = r.waves.map((c, i) => (i === w ? { ...c, released: c.released + total } : c));
    r = { ...r, pool, waves, released: r.released + total, window: [...recent(r.window, now), { at: now, n: total }] };
    const ofWave = r.waves.length > 1 ? ` of wave ${w + 1} of ${r.waves.length}` : '';
    outputs.push(event(s, now, { type: 'DEVICES_RELEASED', reason: `${total} devices${ofWave} may start${rate === null ? '' : ` at ${rate}/min`}`, released: total, wave: w + 1, ratePerMinute: rate }));
    if (rate === null) break;
  }
  return { ...s, rollout: r };
}

/** R-SAFE-2: when a capped release may go on: the oldest release of the last minute leaves the window. */
function nextReleaseAt(s: CampaignState): number | undefined {
  const r = s.rollout;
  if (!r || !releasing(s) || r.waiting !== null || r.startedAt === null || r.pool.every((p) => (p[r.wave] ?? 0) === 0)) return undefined;
  return nextRoomAt(r.window);
}

/**
 * R-SAFE-3: a complete wave that met its threshold starts the next (or waits for NEXT_WAVE when
 * so configured); one that missed it pauses the campaign, naming the wave and its success.
 */
function advanceWaves(s: CampaignState, now: number, outputs: CampaignOutput[]): CampaignState {
  const r = s.rollout;
  if (!r || r.waiting !== null || r.startedAt === null || r.wave >= r.waves.length - 1 || !waveComplete(r, r.wave)) return s;
  const request = rolloutOf(s.request!);
  const label = `wave ${r.wave + 1} of ${r.waves.length}`;
  const { met, text } = waveSummary(r.waves[r.wave]!, request.waves[r.wave]!.successThresholdPercent);
  if (!met) {
    const reason = `${label} missed its success threshold: ${text}`;
    outputs.push(event(s, now, { type: 'WAVE_COMPLETED', reason, wave: r.wave + 1 }));
    const waiting = { ...s, rollout: { ...r, waiting: 'missed' as const } };
    return s.status === 'Paused' ? waiting : pause(waiting, reason, now, outputs);
  }
  if (request.manualNextWave) {
    outputs.push(event(s, now, { type: 'WAVE_COMPLETED', reason: `${label} met its success threshold (${text}); the next wave waits for NEXT_WAVE`, wave: r.wave + 1 }));
    return { ...s, rollout: { ...r, waiting: 'operator' } };
  }
  outputs.push(event(s, now, { type: 'WAVE_COMPLETED', reason: `${label} met its success threshold: ${text}`, wave: r.wave + 1 }));
  return startWave(s, r.wave + 1, `wave ${r.wave + 1} met its success threshold`, now, outputs);
}

/** The next wave becomes current; its devices are released by settle (an empty wave completes at once). */
function startWave(s: CampaignState, wave: number, why: string, now: number, outputs: CampaignOutput[]): CampaignState {
  const r = s.rollout!;
  outputs.push(event(s, now, { type: 'WAVE_STARTED', reason: `wave ${wave + 1} of ${r.waves.length} starts: ${why}`, wave: wave + 1 }));
  const next = { ...s, rollout: { ...r, wave, waiting: null } };
  return advanceWaves(release(next, now, outputs), now, outputs);
}

/**
 * R-SAFE-6: the completion estimate, published while the campaign runs once a minute or each
 * time another 5 % of its devices are final, whichever comes first: at most some twenty events
 * beside one a minute, however large the campaign.
 */
function estimate(s: CampaignState, now: number, outputs: CampaignOutput[]): CampaignState {
  const r = s.rollout;
  if (!r || r.startedAt === null) return s;
  const due = r.estimatedAt === null || now - r.estimatedAt >= MINUTE || finals(s) - (r.estimatedFinals ?? 0) >= s.accepted / 20;
  if (!due) return s;
  const e = estimateCompletion({
    now,
    startedAt: r.startedAt,
    cells: cellsOf(r).entries(),
    unreleased: unreleased(r),
    ratePerMinute: r.rate,
    wavesLeft: r.waves.length - 1 - r.wave,
    endAt: s.endAt,
  });
  if (!e) return s;
  outputs.push(event(s, now, { type: 'ESTIMATE', reason: e.reason, estimatedEndAt: e.at }));
  return { ...s, rollout: { ...r, estimatedAt: now, estimatedFinals: finals(s) } };
}

/** The parts of the list, and a started dynamic campaign's dynamic parts after them. */
const partsOf = (s: CampaignState) => Array.from({ length: s.partsReceived + (dynamicOpen(s) ? DYNAMIC_PARTS : 0) }, (_, i) => i);

function partMessage(s: CampaignState, part: number, value: PartMessage): CampaignOutput {
  return { topic: 'campaign-parts', key: partKey(s.campaignId, part), value };
}

function controlParts(s: CampaignState, action: 'start' | 'cancel' | 'abort' | 'end' | 'halt', now: number): CampaignOutput[] {
  return partsOf(s).map((part) => partMessage(s, part, { type: 'control', campaignId: s.campaignId, part, action, at: now }));
}

function transition(s: CampaignState, to: CampaignStatus, reason: string, now: number, outputs: CampaignOutput[]): CampaignState {
  const next = { ...s, status: to };
  outputs.push(event(next, now, { type: 'STATE_CHANGED', from: s.status, to, reason }));
  // R-SAFE-5: however a started dynamic campaign ends, no device takes it any more.
  if (terminal.has(to) && dynamicOpen(s)) outputs.push(catalogRecord(s, { type: 'closed', campaignId: s.campaignId, reason, at: now }));
  return next;
}

function answer(s: CampaignState, command: CampaignCommand, type: 'COMMAND_ACCEPTED' | 'COMMAND_REFUSED', reason: string, now: number, deviceCount?: number): CampaignOutput {
  return event(s, now, { type, commandId: command.commandId, principal: command.principal ?? null, reason: `${command.type}: ${reason}`, ...(deviceCount === undefined ? {} : { deviceCount }) });
}

function event(s: CampaignState, at: number, f: EventFields): CampaignOutput {
  return { topic: 'campaign-events', key: s.campaignId, value: campaignEvent(s.campaignId, s.request, at, f) };
}
