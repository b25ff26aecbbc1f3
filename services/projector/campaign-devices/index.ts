import { sql, type Kysely } from 'kysely';
import { parseDeviceResult, type DeviceResult } from '../../../contracts/campaign-device-results.ts';
import { parseCampaignEvent, type CampaignEvent } from '../../../contracts/campaign-events.ts';
import type { Database } from '../database.ts';
import { toTimestamp, type Projection } from '../projection.ts';

/**
 * campaign_devices: each device of each campaign, its acceptance decision (R-REQ-4) and its
 * latest status, detail, cause and attempt (R-RES-4). Decisions and results come on two
 * topics, in no fixed order between them: a final result is never overwritten by a decision.
 */
type DecisionEvent = CampaignEvent & { deviceId: string };

export type CampaignDeviceInput = { kind: 'decision'; event: DecisionEvent } | { kind: 'result'; result: DeviceResult };

export interface DeviceRow {
  campaignId: string;
  deviceId: string;
  decision: string | null;
  decisionDetail: string | null;
  status: string;
  detail: string | null;
  cause: string | null;
  attempt: number | null;
  cellId: string | null;
  decidedAt: number | null;
  finishedAt: number | null;
}

const keyOf = (input: CampaignDeviceInput): string => (input.kind === 'decision' ? `${input.event.campaignId}\u0000${input.event.deviceId}` : `${input.result.campaignId}\u0000${input.result.deviceId}`);

/** The change to one campaign+device row after one more decision or result. */
export function foldCampaignDevice(change: DeviceRow | undefined, input: CampaignDeviceInput): DeviceRow {
  const campaignId = input.kind === 'decision' ? input.event.campaignId : input.result.campaignId;
  const deviceId = input.kind === 'decision' ? input.event.deviceId : input.result.deviceId;
  const row = change ?? { campaignId, deviceId, decision: null, decisionDetail: null, status: '', detail: null, cause: null, attempt: null, cellId: null, decidedAt: null, finishedAt: null };
  if (input.kind === 'decision') {
    row.decision = input.event.deviceStatus;
    row.decisionDetail = input.event.detail;
    row.decidedAt = input.event.at;
    if (row.finishedAt === null) Object.assign(row, { status: input.event.deviceStatus ?? '', detail: input.event.detail });
  } else {
    const r = input.result;
    Object.assign(row, { status: r.status, detail: r.detail, cause: r.cause ?? null, attempt: r.attempt, cellId: r.cellId, finishedAt: r.at });
  }
  return row;
}

export const campaignDevicesProjection: Projection<CampaignDeviceInput, DeviceRow> = {
  name: 'campaign_devices',
  topics: ['campaign-events', 'campaign-device-results'],
  parse(topic, value, key) {
    if (topic === 'campaign-device-results') return { kind: 'result', result: parseDeviceResult(value, key) };
    // Events without a device pass `filter` no further.
    return { kind: 'decision', event: parseCampaignEvent(value, key) as DecisionEvent };
  },
  filter: (input) => input.kind === 'result' || (input.event.type === 'DEVICE_DECISION' && typeof input.event.deviceId === 'string'),
  keyOf,
  fold: foldCampaignDevice,
  async write(trx, changes) {
    const rows = changes.map((r) => ({
      campaign_id: r.campaignId,
      device_id: r.deviceId,
      decision: r.decision,
      decision_detail: r.decisionDetail,
      status: r.status,
      detail: r.detail,
      cause: r.cause,
      attempt: r.attempt,
      cell_id: r.cellId,
      decided_at: toTimestamp(r.decidedAt),
      finished_at: toTimestamp(r.finishedAt),
    }));
    if (rows.length === 0) return;
    const final = sql`campaign_devices.finished_at is not null and excluded.finished_at is null`;
    await trx
      .insertInto('campaign_devices')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['campaign_id', 'device_id']).doUpdateSet({
          decision: sql`coalesce(excluded.decision, campaign_devices.decision)`,
          decision_detail: sql`coalesce(excluded.decision_detail, campaign_devices.decision_detail)`,
          decided_at: sql`coalesce(excluded.decided_at, campaign_devices.decided_at)`,
          status: sql`case when ${final} then campaign_devices.status else excluded.status end`,
          detail: sql`case when ${final} then campaign_devices.detail else excluded.detail end`,
          cause: sql`coalesce(excluded.cause, campaign_devices.cause)`,
          attempt: sql`coalesce(excluded.attempt, campaign_devices.attempt)`,
          cell_id: sql`coalesce(excluded.cell_id, campaign_devices.cell_id)`,
          finished_at: sql`coalesce(excluded.finished_at, campaign_devices.finished_at)`,
        }),
      )
      .execute();
  },
  async clear(db) {
    await db.deleteFrom('campaign_devices').execute();
  },
};

/** Failure reasons of a campaign, most frequent first. */
export function readFailureReasons(db: Kysely<Database>, campaignId: string) {
  return db
    .selectFrom('campaign_devices')
    .select(['status', 'detail', 'cause', (eb) => eb.fn.countAll<string>().as('devices')])
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['UpgradeFailed', 'DeviceRejected'])
    .groupBy(['status', 'detail', 'cause'])
    .orderBy('devices', 'desc')
    .execute();
}

export function readCampaignDevices(db: Kysely<Database>, campaignId: string) {
  return db.selectFrom('campaign_devices').selectAll().where('campaign_id', '=', campaignId).execute();
}
