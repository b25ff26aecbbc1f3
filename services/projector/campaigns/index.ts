import { sql, type Kysely } from 'kysely';
import { parseDeviceResult, type DeviceResult } from '../../../contracts/campaign-device-results.ts';
import { parseCampaignEvent, type CampaignEvent } from '../../../contracts/campaign-events.ts';
import type { Database } from '../database.ts';
import { toTimestamp, type Projection } from '../projection.ts';

export type CampaignInput = { kind: 'event'; event: CampaignEvent } | { kind: 'result'; result: DeviceResult };

/** The change one batch makes to one campaign row. */
export interface CampaignDelta {
  campaignId: string;
  status: string | null;
  api: string | null;
  make: string | null;
  model: string | null;
  targetVersion: string | null;
  deviceCount: number | null;
  accepted: number;
  rejected: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  scheduleKind: string | null;
  scheduleStartAt: number | null;
  scheduleEndAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  lastEventAt: number;
  /** R-SAFE-3: the highest wave started or completed. */
  wave: number | null;
  /** Devices released by this change's events (R-SAFE-2/3/4). */
  released: number;
  ratePerMinute: number | null;
  /** R-SAFE-4: why it was paused; '' when it resumed (the column is cleared), null when unchanged. */
  pauseReason: string | null;
  abortReason: string | null;
  /** R-SAFE-6: the latest estimate and when it was made. */
  estimatedEndAt: number | null;
  estimatedAt: number | null;
}

const started = new Set(['InProgress', 'Scheduled']);
const ended = new Set(['Finished', 'Ended', 'RequestFailed', 'UpgradeFailed', 'Cancelled', 'Aborted']);

const campaignOf = (input: CampaignInput): string => (input.kind === 'event' ? input.event.campaignId : input.result.campaignId);

/** The change to one campaign row after one more event. */
export function foldCampaign(change: CampaignDelta | undefined, input: CampaignInput): CampaignDelta {
  const at = input.kind === 'event' ? input.event.at : input.result.at;
  const d = change ?? { campaignId: campaignOf(input), status: null, api: null, make: null, model: null, targetVersion: null, deviceCount: null, accepted: 0, rejected: 0, succeeded: 0, failed: 0, cancelled: 0, scheduleKind: null, scheduleStartAt: null, scheduleEndAt: null, startedAt: null, endedAt: null, lastEventAt: at, wave: null, released: 0, ratePerMinute: null, pauseReason: null, abortReason: null, estimatedEndAt: null, estimatedAt: null };
  d.lastEventAt = Math.max(d.lastEventAt, at);
  if (input.kind === 'result') {
    const status = input.result.status;
    if (status === 'UpgradeSuccess') d.succeeded++;
    else if (status === 'UpgradeFailed') d.failed++;
    else d.cancelled++;
    return d;
  }
  const e = input.event;
  d.api = e.api ?? d.api;
  d.make = e.make ?? d.make;
  d.model = e.model ?? d.model;
  d.targetVersion = e.targetVersion ?? d.targetVersion;
  d.scheduleKind = e.scheduleKind ?? d.scheduleKind;
  d.scheduleStartAt = e.startAt ?? d.scheduleStartAt;
  d.scheduleEndAt = e.endAt ?? d.scheduleEndAt;
  if (e.type === 'STATE_CHANGED' && e.to) {
    d.status = e.to;
    if (started.has(e.to)) d.startedAt ??= e.at;
    if (ended.has(e.to)) d.endedAt = e.at;
    if (e.to === 'Paused') d.pauseReason = e.reason ?? '';
    else if (e.from === 'Paused') d.pauseReason = '';
    if (e.to === 'Aborted') d.abortReason = e.reason;
  }
  if (e.wave != null) d.wave = Math.max(d.wave ?? 0, e.wave);
  if (e.ratePerMinute != null) d.ratePerMinute = e.ratePerMinute;
  if (e.type === 'DEVICES_RELEASED') d.released += e.released ?? 0;
  if (e.type === 'ESTIMATE' && e.estimatedEndAt != null && (d.estimatedAt === null || e.at >= d.estimatedAt)) {
    d.estimatedEndAt = e.estimatedEndAt;
    d.estimatedAt = e.at;
  }
  if (e.type === 'COMMAND_ACCEPTED' && e.deviceCount !== null) d.deviceCount = e.deviceCount;
  // R-SAFE-5: a device joining a dynamic campaign names the campaign's count with it.
  if (e.type === 'DEVICE_DECISION' && e.deviceCount != null) d.deviceCount = Math.max(d.deviceCount ?? 0, e.deviceCount);
  if (e.type === 'DEVICE_DECISION') {
    if (e.deviceStatus === 'Accepted') d.accepted++;
    else d.rejected++;
  }
  return d;
}

export const campaignsProjection: Projection<CampaignInput, CampaignDelta> = {
  name: 'campaigns',
  topics: ['campaign-events', 'campaign-device-results'],
  parse(topic, value, key) {
    return topic === 'campaign-events' ? { kind: 'event', event: parseCampaignEvent(value, key) } : { kind: 'result', result: parseDeviceResult(value, key) };
  },
  keyOf: campaignOf,
  fold: foldCampaign,
  async write(trx, changes) {
    const rows = changes.map((d) => ({
      campaign_id: d.campaignId,
      status: d.status,
      api: d.api,
      make: d.make,
      model: d.model,
      target_version: d.targetVersion,
      device_count: d.deviceCount ?? 0,
      accepted: d.accepted,
      rejected: d.rejected,
      succeeded: d.succeeded,
      failed: d.failed,
      cancelled: d.cancelled,
      schedule_kind: d.scheduleKind,
      schedule_start_at: toTimestamp(d.scheduleStartAt),
      schedule_end_at: toTimestamp(d.scheduleEndAt),
      started_at: toTimestamp(d.startedAt),
      ended_at: toTimestamp(d.endedAt),
      last_event_at: toTimestamp(d.lastEventAt),
      current_wave: d.wave,
      released: d.released,
      rate_per_minute: d.ratePerMinute,
      pause_reason: d.pauseReason,
      abort_reason: d.abortReason,
      estimated_end_at: toTimestamp(d.estimatedEndAt),
      estimated_at: toTimestamp(d.estimatedAt),
    }));
    await trx
      .insertInto('campaigns')
      .values(rows)
      .onConflict((oc) =>
        oc.column('campaign_id').doUpdateSet({
          status: sql`coalesce(excluded.status, campaigns.status)`,
          api: sql`coalesce(excluded.api, campaigns.api)`,
          make: sql`coalesce(excluded.make, campaigns.make)`,
          model: sql`coalesce(excluded.model, campaigns.model)`,
          target_version: sql`coalesce(excluded.target_version, campaigns.target_version)`,
          device_count: sql`greatest(excluded.device_count, campaigns.device_count)`,
          accepted: sql`campaigns.accepted + excluded.accepted`,
          rejected: sql`campaigns.rejected + excluded.rejected`,
          succeeded: sql`campaigns.succeeded + excluded.succeeded`,
          failed: sql`campaigns.failed + excluded.failed`,
          cancelled: sql`campaigns.cancelled + excluded.cancelled`,
          schedule_kind: sql`coalesce(excluded.schedule_kind, campaigns.schedule_kind)`,
          schedule_start_at: sql`coalesce(excluded.schedule_start_at, campaigns.schedule_start_at)`,
          schedule_end_at: sql`coalesce(excluded.schedule_end_at, campaigns.schedule_end_at)`,
          started_at: sql`coalesce(campaigns.started_at, excluded.started_at)`,
          ended_at: sql`coalesce(excluded.ended_at, campaigns.ended_at)`,
          last_event_at: sql`greatest(excluded.last_event_at, campaigns.last_event_at)`,
          current_wave: sql`greatest(excluded.current_wave, campaigns.current_wave)`,
          released: sql`campaigns.released + excluded.released`,
          rate_per_minute: sql`coalesce(excluded.rate_per_minute, campaigns.rate_per_minute)`,
          pause_reason: sql`case when excluded.pause_reason is null then campaigns.pause_reason else nullif(excluded.pause_reason, '') end`,
          abort_reason: sql`coalesce(excluded.abort_reason, campaigns.abort_reason)`,
          // The estimate made last wins, whatever order batches fold in.
          estimated_end_at: sql`case when campaigns.estimated_at is null or excluded.estimated_at >= campaigns.estimated_at then coalesce(excluded.estimated_end_at, campaigns.estimated_end_at) else campaigns.estimated_end_at end`,
          estimated_at: sql`greatest(excluded.estimated_at, campaigns.estimated_at)`,
        }),
      )
      .execute();
    // A campaign first seen paused and resumed in one batch is inserted with the '' that clears the reason.
    const resumed = changes.filter((d) => d.pauseReason === '').map((d) => d.campaignId);
    if (resumed.length > 0) await trx.updateTable('campaigns').set({ pause_reason: null }).where('campaign_id', 'in', resumed).where('pause_reason', '=', '').execute();
  },
  async clear(db) {
    await db.deleteFrom('campaigns').execute();
  },
};

export function readCampaign(db: Kysely<Database>, campaignId: string) {
  return db.selectFrom('campaigns').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst();
}
