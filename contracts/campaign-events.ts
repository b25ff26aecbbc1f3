import type { CampaignRequest } from './campaign-commands.ts';
import { fieldsOf } from './fields.ts';

export type CampaignEventType =
  | 'STATE_CHANGED'
  | 'COMMAND_ACCEPTED'
  | 'COMMAND_REFUSED'
  | 'DEVICE_DECISION'
  | 'DEVICES_RELEASED'
  | 'WAVE_STARTED'
  | 'WAVE_COMPLETED'
  | 'RATE_CHANGED'
  | 'ESTIMATE';

/**
 * campaign.events (key: campaignId), schemas/campaign-event.avsc: a state transition (R-LC-3),
 * the answer to a command, a device's acceptance decision (R-REQ-4), a rollout decision
 * (R-SAFE-2/3: devices released, a wave started or completed, the rate raised) or the estimated
 * completion (R-SAFE-6), each with its reason. The schedule and rollout fields are absent from
 * events written before they existed.
 */
export interface CampaignEvent {
  readonly campaignId: string;
  readonly type: CampaignEventType;
  readonly commandId: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string | null;
  readonly deviceId: string | null;
  readonly deviceStatus: string | null;
  readonly detail: string | null;
  readonly api: string | null;
  readonly make: string | null;
  readonly model: string | null;
  readonly targetVersion: string | null;
  readonly deviceCount: number | null;
  readonly scheduleKind?: string | null;
  readonly startAt?: number | null;
  readonly endAt?: number | null;
  readonly at: number;
  readonly wave?: number | null;
  readonly released?: number | null;
  readonly ratePerMinute?: number | null;
  readonly estimatedEndAt?: number | null;
  /** R-SEC-2: on a command's answer, who issued the command. */
  readonly principal?: string | null;
}

/** What one event says beyond its campaign's request; every field left out is null. */
export interface EventFields {
  readonly type: CampaignEventType;
  readonly commandId?: string;
  readonly from?: string | null;
  readonly to?: string;
  readonly reason?: string;
  readonly deviceId?: string;
  readonly deviceStatus?: string;
  readonly detail?: string;
  readonly deviceCount?: number;
  readonly wave?: number;
  readonly released?: number;
  readonly ratePerMinute?: number | null;
  readonly estimatedEndAt?: number;
  readonly principal?: string | null;
}

/** Every event names its campaign's request (make, model, target, schedule) when it has one. */
export function campaignEvent(campaignId: string, request: CampaignRequest | null, at: number, f: EventFields): CampaignEvent {
  return {
    campaignId,
    type: f.type,
    commandId: f.commandId ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
    reason: f.reason ?? null,
    deviceId: f.deviceId ?? null,
    deviceStatus: f.deviceStatus ?? null,
    detail: f.detail ?? null,
    api: request?.api ?? null,
    make: request?.make ?? null,
    model: request?.model ?? null,
    targetVersion: request?.targetVersion ?? null,
    deviceCount: f.deviceCount ?? null,
    scheduleKind: request?.schedule.kind ?? null,
    startAt: request?.schedule.startAt ?? null,
    endAt: request?.schedule.endAt ?? null,
    at,
    wave: f.wave ?? null,
    released: f.released ?? null,
    ratePerMinute: f.ratePerMinute ?? null,
    estimatedEndAt: f.estimatedEndAt ?? null,
    principal: f.principal ?? null,
  };
}

export function parseCampaignEvent(value: unknown, key: string): CampaignEvent {
  const e = value as CampaignEvent;
  fieldsOf('campaign event').key('campaignId', e?.campaignId, key);
  return e;
}
