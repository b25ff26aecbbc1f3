import type { CampaignRequest } from './campaign-commands.ts';
import { fieldsOf } from './fields.ts';

export type CampaignEventType = 'STATE_CHANGED' | 'COMMAND_ACCEPTED' | 'COMMAND_REFUSED' | 'DEVICE_DECISION';

/**
 * campaign.events (key: campaignId), schemas/campaign-event.avsc: a state transition (R-LC-3),
 * the answer to a command, or a device's acceptance decision (R-REQ-4). The schedule fields are
 * absent from events written before they existed.
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
  };
}

export function parseCampaignEvent(value: unknown, key: string): CampaignEvent {
  const e = value as CampaignEvent;
  fieldsOf('campaign event').key('campaignId', e?.campaignId, key);
  return e;
}
