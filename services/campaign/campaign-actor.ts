import type { ActorType, Decision, Output } from '../runtime/actor.ts';
import type { Offer } from '../device/messages.ts';
import type { CampaignCommand, CampaignInput, CampaignRequest, DeviceResult } from './messages.ts';

/**
 * The campaign actor (key: campaignId) runs one campaign's lifecycle (R-LC-1 for v1,
 * R-LC-2 for v2) and publishes every transition and command answer (R-LC-3). Device
 * acceptance is decided by each device's own actor (R-REQ-4, R-DEV-3); the campaign
 * only counts, because the runtime delivers each decision and result once in effect.
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
  | 'Cancelled';

export interface CampaignState {
  readonly campaignId: string;
  readonly status: CampaignStatus | null;
  readonly request: CampaignRequest | null;
  readonly offered: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly succeeded: number;
  readonly failed: number;
}

type D = Decision<CampaignState>;

const terminal: ReadonlySet<CampaignStatus> = new Set(['RequestFailed', 'Finished', 'Ended', 'UpgradeFailed', 'Cancelled']);

export const campaignActor: ActorType<CampaignState, CampaignInput> = {
  name: 'campaign',
  initial: (campaignId) => ({ campaignId, status: null, request: null, offered: 0, accepted: 0, rejected: 0, succeeded: 0, failed: 0 }),
  wakeAt: () => undefined,
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return { state, outputs: [] };
      case 'command':
        return onCommand(state, input.command, now);
      case 'decision':
        return onDecision(state, input.decision.deviceId, input.decision.status, input.decision.detail, now);
      case 'result':
        return onResult(state, input.result, now);
    }
  },
};

/** R-REQ-3, R-REQ-5: parameters that fail put the campaign in RequestFailed, never clamped. */
export function requestProblem(request: CampaignRequest, deviceIds: readonly string[]): string | undefined {
  if (deviceIds.length === 0) return 'the request names no device';
  if (new Set(deviceIds).size !== deviceIds.length) return 'the request names a device twice';
  if (request.retry) {
    const { attempts, intervalMinutes } = request.retry;
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > 5) return `retry attempts must be 0–5, got ${attempts}`;
    if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1 || intervalMinutes > 1440) return `retry interval must be 1–1440 minutes, got ${intervalMinutes}`;
  }
  if (request.fromVersions.length === 0) return 'the request names no current version to upgrade from';
  return undefined;
}

function onCommand(state: CampaignState, command: CampaignCommand, now: number): D {
  const refuse = (reason: string): D => ({ state, outputs: [event(state, now, { type: 'COMMAND_REFUSED', commandId: command.commandId, reason })] });
  if (command.type !== 'SCHEDULE') {
    if (state.status === null) return refuse(`unknown campaign ${state.campaignId}`);
    return refuse(`${command.type} is not available in this release; the campaign is ${state.status}`);
  }
  if (state.status !== null) return refuse(`campaign ${state.campaignId} already exists (${state.status})`);
  const request = command.request!;
  const accepted = event(state, now, { type: 'COMMAND_ACCEPTED', commandId: command.commandId, reason: 'campaign requested', deviceCount: command.deviceIds.length });
  const pending = { ...state, request, status: 'RequestPending' as const };
  const created = event(pending, now, { type: 'STATE_CHANGED', from: null, to: 'RequestPending', reason: 'campaign requested', deviceCount: command.deviceIds.length });
  const problem = requestProblem(request, command.deviceIds);
  if (problem) return transition({ ...pending, offered: 0 }, 'RequestFailed', problem, now, [accepted, created]);
  const offers = command.deviceIds.map((deviceId): Output => {
    const offer: Offer = { type: 'offer', campaignId: state.campaignId, deviceId, ...pick(request), at: now };
    return { topic: 'device-offers', key: deviceId, value: offer };
  });
  return { state: { ...pending, offered: command.deviceIds.length }, outputs: [accepted, created, ...offers] };
}

function pick(r: CampaignRequest): Omit<Offer, 'type' | 'campaignId' | 'deviceId' | 'at'> {
  const { api, protocol, make, model, fromVersions, targetVersion, packageKind } = r;
  return { api, protocol, make, model, fromVersions, targetVersion, packageKind, package: r.package };
}

function onDecision(state: CampaignState, deviceId: string, status: 'Accepted' | 'DeviceRejected', detail: string, now: number): D {
  if (state.status === null) return { state, outputs: [] };
  const s = status === 'Accepted' ? { ...state, accepted: state.accepted + 1 } : { ...state, rejected: state.rejected + 1 };
  const outputs = [event(s, now, { type: 'DEVICE_DECISION', deviceId, deviceStatus: status, detail })];
  if (s.status !== 'RequestPending' || s.accepted + s.rejected < s.offered) return settle(s, now, outputs);
  if (s.accepted === 0) return transition(s, 'RequestFailed', 'no device was accepted', now, outputs);
  // R-LC-1: v1 passes through Queued; R-LC-2: an on-demand v2 campaign goes straight to Scheduled.
  const request = s.request!;
  if (request.api === 'V2') return settle(transitionState(s, 'Scheduled', 'checks passed, on-demand start', now, outputs), now, outputs);
  const queued = transitionState(s, 'Queued', 'checks passed', now, outputs);
  return settle(transitionState(queued, 'InProgress', 'on-demand start', now, outputs), now, outputs);
}

function onResult(state: CampaignState, result: DeviceResult, now: number): D {
  if (state.status === null || terminal.has(state.status)) return { state, outputs: [] };
  const s = result.status === 'UpgradeSuccess' ? { ...state, succeeded: state.succeeded + 1 } : { ...state, failed: state.failed + 1 };
  return settle(s, now, []);
}

/** R-LC-1/2: the campaign ends once every accepted device is final. */
function settle(s: CampaignState, now: number, outputs: Output[]): D {
  const running = s.status === 'InProgress' || s.status === 'Scheduled';
  const allDecided = s.accepted + s.rejected === s.offered;
  if (!running || !allDecided || s.succeeded + s.failed < s.accepted) return { state: s, outputs };
  return transition(s, s.request!.api === 'V2' ? 'Ended' : 'Finished', 'every device is final', now, outputs);
}

function transition(s: CampaignState, to: CampaignStatus, reason: string, now: number, outputs: Output[]): D {
  return { state: transitionState(s, to, reason, now, outputs), outputs };
}

function transitionState(s: CampaignState, to: CampaignStatus, reason: string, now: number, outputs: Output[]): CampaignState {
  const next = { ...s, status: to };
  outputs.push(event(next, now, { type: 'STATE_CHANGED', from: s.status, to, reason }));
  return next;
}

interface EventFields {
  type: 'STATE_CHANGED' | 'COMMAND_ACCEPTED' | 'COMMAND_REFUSED' | 'DEVICE_DECISION';
  commandId?: string;
  from?: string | null;
  to?: string;
  reason?: string;
  deviceId?: string;
  deviceStatus?: string;
  detail?: string;
  deviceCount?: number;
}

function event(s: CampaignState, at: number, f: EventFields): Output {
  const r = s.request;
  return {
    topic: 'campaign-events',
    key: s.campaignId,
    value: {
      campaignId: s.campaignId,
      type: f.type,
      commandId: f.commandId ?? null,
      from: f.from ?? null,
      to: f.to ?? null,
      reason: f.reason ?? null,
      deviceId: f.deviceId ?? null,
      deviceStatus: f.deviceStatus ?? null,
      detail: f.detail ?? null,
      api: r?.api ?? null,
      make: r?.make ?? null,
      model: r?.model ?? null,
      targetVersion: r?.targetVersion ?? null,
      deviceCount: f.deviceCount ?? null,
      at,
    },
  };
}
