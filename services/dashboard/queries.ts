import { sql, type Kysely } from 'kysely';
import type { Database } from '../projector/database.ts';
import { readFailureReasons } from '../projector/campaign-devices/index.ts';
import { readCampaign } from '../projector/campaigns/index.ts';
import { readPilotGate } from '../projector/pilot-success/index.ts';

/**
 * What the operator tools (`otaflow campaign` and the dashboard) read from the projections:
 * both show the same numbers because they run the same queries.
 */
export type Db = Kysely<Database>;

/** Campaign states after which nothing changes (services/campaign: `terminal`). */
export const finalStatuses: ReadonlySet<string> = new Set(['RequestFailed', 'Finished', 'Ended', 'UpgradeFailed', 'Cancelled', 'Aborted']);

export interface CampaignProgress {
  readonly campaignId: string;
  readonly status: string | null;
  readonly api: string | null;
  readonly make: string | null;
  readonly model: string | null;
  readonly targetVersion: string | null;
  readonly deviceCount: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Accepted devices with a final result (succeeded, failed, cancelled or aborted). */
  readonly done: number;
  /** What `done` counts towards: the accepted devices once every device is decided, else the devices named. */
  readonly total: number;
  readonly lastEventAt: Date | null;
}

type CampaignRow = NonNullable<Awaited<ReturnType<typeof readCampaign>>>;

export function progressOf(row: CampaignRow): CampaignProgress {
  const done = row.succeeded + row.failed + row.cancelled;
  const decided = row.accepted + row.rejected >= row.device_count && row.device_count > 0;
  return {
    campaignId: row.campaign_id,
    status: row.status,
    api: row.api,
    make: row.make,
    model: row.model,
    targetVersion: row.target_version,
    deviceCount: row.device_count,
    accepted: row.accepted,
    rejected: row.rejected,
    succeeded: row.succeeded,
    failed: row.failed,
    cancelled: row.cancelled,
    done,
    total: decided ? row.accepted : Math.max(row.device_count, row.accepted),
    lastEventAt: row.last_event_at,
  };
}

/** Latest first; `search` keeps the campaigns whose id starts with it. */
export async function listCampaigns(db: Db, options: { limit: number; search?: string }): Promise<CampaignProgress[]> {
  let q = db.selectFrom('campaigns').selectAll();
  if (options.search) q = q.where('campaign_id', 'like', `${likeEscape(options.search)}%`);
  const rows = await q.orderBy('last_event_at', (ob) => ob.desc().nullsLast()).orderBy('campaign_id').limit(options.limit).execute();
  return rows.map(progressOf);
}

export interface CampaignDetail extends CampaignProgress {
  /** Devices per latest status (campaign_devices), largest first. */
  readonly statuses: readonly { readonly status: string; readonly devices: number }[];
  readonly failures: readonly { readonly status: string; readonly detail: string | null; readonly cause: string | null; readonly devices: number }[];
}

export async function readCampaignDetail(db: Db, campaignId: string): Promise<CampaignDetail | undefined> {
  const row = await readCampaign(db, campaignId);
  if (!row) return undefined;
  const [statuses, failures] = await Promise.all([
    db.selectFrom('campaign_devices').select(['status', (eb) => eb.fn.countAll<string>().as('devices')]).where('campaign_id', '=', campaignId).groupBy('status').orderBy('devices', 'desc').orderBy('status').execute(),
    readFailureReasons(db, campaignId),
  ]);
  return {
    ...progressOf(row),
    statuses: statuses.map((s) => ({ status: s.status, devices: Number(s.devices) })),
    failures: failures.map((f) => ({ status: f.status, detail: f.detail, cause: f.cause, devices: Number(f.devices) })),
  };
}

/** R-SEC-2: a campaign's latest commands from the audit trail: who did what, and the answer. */
export interface AuditEntry {
  readonly issuedAt: Date | null;
  readonly principal: string | null;
  readonly commandType: string | null;
  readonly outcome: string | null;
  readonly reason: string | null;
}

export async function readAuditTrail(db: Db, campaignId: string, limit = 50): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('campaign_audit')
    .select(['issued_at', 'principal', 'command_type', 'outcome', 'reason'])
    .where('campaign_id', '=', campaignId)
    .orderBy('issued_at', (ob) => ob.desc().nullsFirst())
    .orderBy('command_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ issuedAt: r.issued_at, principal: r.principal, commandType: r.command_type, outcome: r.outcome, reason: r.reason }));
}

export interface ResultBucket {
  /** Start of the bucket, epoch millis. */
  readonly at: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly other: number;
}

/** A campaign's final device results over time, in at most `buckets` equal slices from its first result to its last. */
export async function readResultTimeline(db: Db, campaignId: string, buckets = 30): Promise<{ readonly widthMs: number; readonly buckets: readonly ResultBucket[] }> {
  const rows = await sql<{ bucket: number; first_ms: string; width_ms: string; status: string; devices: string }>`
    with results as (
      select status, extract(epoch from finished_at) * 1000 as ms from campaign_devices
      where campaign_id = ${campaignId} and finished_at is not null
    ), span as (
      select min(ms) as first_ms, greatest((max(ms) - min(ms)) / ${buckets}, 1000) as width_ms from results
    )
    select least(floor((ms - first_ms) / width_ms), ${buckets - 1})::int as bucket, first_ms, width_ms, status, count(*) as devices
    from results, span group by 1, 2, 3, 4 order by 1`.execute(db);
  if (rows.rows.length === 0) return { widthMs: 0, buckets: [] };
  const first = Number(rows.rows[0]!.first_ms);
  const widthMs = Number(rows.rows[0]!.width_ms);
  const last = Math.max(...rows.rows.map((r) => r.bucket));
  const out = Array.from({ length: last + 1 }, (_, i) => ({ at: Math.round(first + i * widthMs), succeeded: 0, failed: 0, other: 0 }));
  for (const r of rows.rows) {
    const field = r.status === 'UpgradeSuccess' ? 'succeeded' : r.status === 'UpgradeFailed' ? 'failed' : 'other';
    out[r.bucket]![field] += Number(r.devices);
  }
  return { widthMs, buckets: out };
}

export interface DeviceFilter {
  readonly status?: string;
  /** Matches the failure cause or the detail, case-insensitively, anywhere in the text. */
  readonly cause?: string;
  readonly limit: number;
}

export function readDevices(db: Db, campaignId: string, filter: DeviceFilter) {
  let q = db.selectFrom('campaign_devices').select(['device_id', 'status', 'detail', 'cause', 'attempt', 'cell_id', 'decided_at', 'finished_at']).where('campaign_id', '=', campaignId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.cause) {
    const pattern = `%${likeEscape(filter.cause)}%`;
    q = q.where((eb) => eb.or([eb('cause', 'ilike', pattern), eb('detail', 'ilike', pattern)]));
  }
  return q.orderBy('device_id').limit(filter.limit).execute();
}

/**
 * Cells, bottlenecks first: the most devices waiting for a token, then the fullest (in use
 * against the limit), then the lowest limit. `search` keeps the cells whose id starts with it.
 */
export function readBottleneckCells(db: Db, options: { limit: number; search?: string }) {
  let q = db.selectFrom('cell_utilisation').select(['cell_id', 'cell_limit', 'in_use', 'waiting', 'peak_in_use', 'grants', 'last_change_at']);
  if (options.search) q = q.where('cell_id', 'like', `${likeEscape(options.search)}%`);
  return q
    .orderBy('waiting', 'desc')
    .orderBy(sql`in_use::float / greatest(cell_limit, 1)`, 'desc')
    .orderBy('cell_limit')
    .orderBy('cell_id')
    .limit(options.limit)
    .execute();
}

export interface PilotGate {
  readonly make: string;
  readonly model: string;
  readonly targetVersion: string;
  readonly gateOpen: boolean;
  readonly pilots: number;
  readonly bestRate: number;
}

/** Every make+model+target with pilots (R-PILOT-3), the open gates last. */
export async function listPilotGates(db: Db, limit: number): Promise<PilotGate[]> {
  const rows = await sql<{ make: string; model: string; target_version: string; gate_open: boolean; pilots: string; best_rate: number }>`
    select make, model, target_version, gate_open, pilots, best_rate from pilot_gates
    order by gate_open, updated_at desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({ make: r.make, model: r.model, targetVersion: r.target_version, gateOpen: r.gate_open, pilots: Number(r.pilots), bestRate: r.best_rate }));
}

/** One make+model+target's gate and each of its pilot campaigns (R-PILOT-2, R-PILOT-3). */
export async function readPilot(db: Db, make: string, model: string, targetVersion: string) {
  const [gate, pilots] = await Promise.all([
    readPilotGate(db, make, model, targetVersion),
    db.selectFrom('pilot_success').select(['campaign_id', 'accepted', 'succeeded', 'failed', 'rate', 'gate_open', 'updated_at']).where('make', '=', make).where('model', '=', model).where('target_version', '=', targetVersion).orderBy('updated_at', 'desc').execute(),
  ]);
  return { make, model, targetVersion, gateOpen: gate?.gate_open ?? false, pilots };
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
