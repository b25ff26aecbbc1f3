import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import type { CellEvent } from '../../contracts/cell-events.ts';
import type { PilotEvent } from '../../contracts/pilot-events.ts';
import type { CampaignEvent } from '../../contracts/campaign-events.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../services/projector/database.ts';
import { produce } from '../../scripts/lib/kafka.ts';
import type { Topology } from '../../scripts/lib/topology.ts';

/** One record as produced: logical topic id, key and the value before encoding. */
export interface Produced {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
}

type Event = CampaignEvent & { deviceId?: string | null; detail?: string | null; from?: string | null };

/**
 * Campaigns from request to end as the campaign, cell and pilot services publish them,
 * from a seeded generator: decisions, grants and releases, results with causes, pilot
 * progress. Ground truths below are computed from these records, not by the projections.
 */
export function projectionScenario(prefix: string, options: { campaigns: number; devices: number; seed: number }): Produced[] {
  let seed = options.seed;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const out: Produced[] = [];
  const inUse = new Map<string, number>();
  let at = Date.UTC(2026, 10, 24);
  for (let c = 0; c < options.campaigns; c++) {
    const campaignId = `${prefix}campaign-${c}`;
    const future = c % 2 === 1;
    const schedule = { scheduleKind: future ? 'FUTURE' : 'ON_DEMAND', startAt: future ? at + 86_400_000 : null, endAt: null };
    const base = { campaignId, commandId: null, from: null, reason: null, deviceId: null, deviceStatus: null, detail: null, api: 'V1', make: 'Acme', model: `M${c % 2}`, targetVersion: '2.0', deviceCount: null, to: null, ...schedule };
    // Every fifth campaign is cancelled before its last tenth of devices finish.
    const cancelledFrom = c % 5 === 4 ? Math.floor(options.devices * 0.8) : Infinity;
    const event = (e: Partial<Event>): Produced => ({ topic: 'campaign-events', key: campaignId, value: { ...base, ...e, at: ++at } });
    out.push(event({ type: 'COMMAND_ACCEPTED', deviceCount: options.devices }), event({ type: 'STATE_CHANGED', to: 'RequestPending' }));
    const accepted: string[] = [];
    for (let d = 0; d < options.devices; d++) {
      const deviceId = `${prefix}device-${c}-${d}`;
      const ok = random() < 0.9;
      if (ok) accepted.push(deviceId);
      out.push(event({ type: 'DEVICE_DECISION', deviceId, deviceStatus: ok ? 'Accepted' : 'DeviceRejected', detail: ok ? 'Accepted' : 'Device firmware version does not match' }));
    }
    out.push(event({ type: 'STATE_CHANGED', from: 'RequestPending', to: 'InProgress' }));
    // Every third campaign from the second is rolled out (R-SAFE): at a rate, in two waves, paused and resumed, with estimates.
    const rolled = c % 3 === 1;
    const half = Math.ceil(accepted.length / 2);
    if (rolled) {
      out.push(
        event({ type: 'RATE_CHANGED', reason: 'start rate 60/min (cap 60/min)', ratePerMinute: 60 }),
        event({ type: 'DEVICES_RELEASED', reason: `${half} devices of wave 1 of 2 may start at 60/min`, released: half, wave: 1, ratePerMinute: 60 }),
        event({ type: 'ESTIMATE', reason: 'first', estimatedEndAt: at + 3_600_000 }),
        event({ type: 'STATE_CHANGED', from: 'InProgress', to: 'Paused', reason: 'paused by user' }),
        event({ type: 'STATE_CHANGED', from: 'Paused', to: 'InProgress', reason: 'resumed by user' }),
        event({ type: 'WAVE_STARTED', reason: 'wave 2 of 2 starts', wave: 2 }),
        event({ type: 'DEVICES_RELEASED', reason: `${accepted.length - half} devices of wave 2 of 2 may start at 60/min`, released: accepted.length - half, wave: 2, ratePerMinute: 60 }),
        event({ type: 'ESTIMATE', reason: 'second', estimatedEndAt: at + 1_800_000 }),
      );
    }
    let succeeded = 0;
    let failed = 0;
    for (const [i, deviceId] of accepted.entries()) {
      const cellId = `${prefix}cell-${i % 7}`;
      const cell = (type: CellEvent['type'], delta: number): Produced => {
        inUse.set(cellId, (inUse.get(cellId) ?? 0) + delta);
        const value: CellEvent = { type, cellId, deviceId, campaignId, limit: 10, inUse: inUse.get(cellId)!, waiting: 0, at: ++at };
        return { topic: 'cell-events', key: cellId, value };
      };
      out.push(cell('granted', 1));
      const success = random() < 0.8;
      const cancelled = i >= cancelledFrom;
      if (!cancelled && success) succeeded++;
      if (!cancelled && !success) failed++;
      const result: DeviceResult = {
        campaignId,
        deviceId,
        attempt: 1 + Math.floor(random() * 3),
        status: cancelled ? 'CampaignCancelled' : success ? 'UpgradeSuccess' : 'UpgradeFailed',
        detail: success ? 'Firmware updated' : 'Firmware update to device failed.',
        cause: success ? null : random() < 0.5 ? 'Connection lost during downloading process' : 'Not enough storage for the new firmware package',
        cellId,
        fromVersion: '1.0',
        toVersion: success ? '2.0' : '1.0',
        at: ++at,
      };
      // Every few devices the release comes before the result: the two topics keep no order between them.
      out.push(...(i % 3 === 0 ? [cell('released', -1), { topic: 'campaign-device-results', key: campaignId, value: result }] : [{ topic: 'campaign-device-results', key: campaignId, value: result }, cell('released', -1)]));
      if (c < 2 && (i + 1) % 10 === 0) {
        const key = `Acme|M${c % 2}|2.0`;
        const rate = succeeded / Math.max(1, accepted.length);
        const pilot: PilotEvent = { type: 'pilot-progress', key, make: 'Acme', model: `M${c % 2}`, targetVersion: '2.0', campaignId, accepted: accepted.length, succeeded, failed, rate, gateOpen: rate >= 0.5, at: ++at };
        out.push({ topic: 'pilot-events', key, value: pilot });
      }
    }
    // The third campaign stops on its abort criteria; the sixth ends paused by a wave.
    const last = c === 2 ? { to: 'Aborted', reason: 'abort criteria met: 20 % of 10 finished devices failed, threshold 10 %' } : c === 5 ? { to: 'Paused', reason: 'wave 1 of 2 missed its success threshold' } : { to: cancelledFrom < Infinity ? 'Cancelled' : 'Finished' };
    out.push(event({ type: 'STATE_CHANGED', from: 'InProgress', ...last }));
  }
  return out;
}

/** Produces the records in order (per key, the order the ground truths assume), in a few sends. */
export async function produceScenario(t: Topology, records: readonly Produced[]): Promise<void> {
  for (const topic of new Set(records.map((r) => r.topic))) {
    const codec = t.codecs.get(topic)!;
    await produce(t, topic, records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: codec.encode(r.value) })));
  }
}

const of = <T>(records: readonly Produced[], topic: string) => records.filter((r) => r.topic === topic).map((r) => r.value as T);

export function campaignsTruth(records: readonly Produced[]) {
  return new Map([...campaignsRolloutTruth(records)].map(([id, { current_wave: _w, released: _r, rate_per_minute: _p, pause_reason: _pr, abort_reason: _a, estimated_end_at: _e, ...r }]) => [id, r]));
}

/** The campaigns rows with their rollout columns (R-SAFE-1..4, 6). */
export function campaignsRolloutTruth(records: readonly Produced[]) {
  type Row = { status: string | null; schedule_kind: string | null; accepted: number; rejected: number; succeeded: number; failed: number; cancelled: number; device_count: number; current_wave: number | null; released: number; rate_per_minute: number | null; pause_reason: string | null; abort_reason: string | null; estimated_end_at: Date | null };
  const rows = new Map<string, Row>();
  const row = (id: string) => rows.get(id) ?? rows.set(id, { status: null, schedule_kind: null, accepted: 0, rejected: 0, succeeded: 0, failed: 0, cancelled: 0, device_count: 0, current_wave: null, released: 0, rate_per_minute: null, pause_reason: null, abort_reason: null, estimated_end_at: null }).get(id)!;
  for (const e of of<Event>(records, 'campaign-events')) {
    const r = row(e.campaignId);
    r.schedule_kind = e.scheduleKind ?? r.schedule_kind;
    if (e.type === 'STATE_CHANGED') {
      r.status = e.to;
      r.pause_reason = e.to === 'Paused' ? e.reason : null;
      if (e.to === 'Aborted') r.abort_reason = e.reason;
    }
    if (e.wave != null) r.current_wave = e.wave;
    if (e.ratePerMinute != null) r.rate_per_minute = e.ratePerMinute;
    if (e.type === 'DEVICES_RELEASED') r.released += e.released ?? 0;
    if (e.type === 'ESTIMATE') r.estimated_end_at = new Date(e.estimatedEndAt!);
    if (e.type === 'COMMAND_ACCEPTED') r.device_count = e.deviceCount ?? 0;
    if (e.type === 'DEVICE_DECISION') e.deviceStatus === 'Accepted' ? r.accepted++ : r.rejected++;
  }
  for (const res of of<DeviceResult>(records, 'campaign-device-results')) {
    const r = row(res.campaignId);
    if (res.status === 'UpgradeSuccess') r.succeeded++;
    else if (res.status === 'UpgradeFailed') r.failed++;
    else r.cancelled++;
  }
  return rows;
}

export function campaignDevicesTruth(records: readonly Produced[]) {
  const rows = new Map<string, { decision: string; status: string; cause: string | null; attempt: number | null }>();
  for (const e of of<Event>(records, 'campaign-events')) {
    if (e.type === 'DEVICE_DECISION') rows.set(`${e.campaignId}/${e.deviceId}`, { decision: e.deviceStatus!, status: e.deviceStatus!, cause: null, attempt: null });
  }
  for (const r of of<DeviceResult>(records, 'campaign-device-results')) Object.assign(rows.get(`${r.campaignId}/${r.deviceId}`)!, { status: r.status, cause: r.cause, attempt: r.attempt });
  return rows;
}

export function cellsTruth(records: readonly Produced[]) {
  const rows = new Map<string, { cell_limit: number; in_use: number; waiting: number; peak_in_use: number; grants: number }>();
  for (const e of of<CellEvent>(records, 'cell-events')) {
    const before = rows.get(e.cellId);
    rows.set(e.cellId, { cell_limit: e.limit, in_use: e.inUse, waiting: e.waiting, peak_in_use: Math.max(before?.peak_in_use ?? 0, e.inUse), grants: (before?.grants ?? 0) + (e.type === 'granted' ? 1 : 0) });
  }
  return rows;
}

export function pilotsTruth(records: readonly Produced[]) {
  const rows = new Map<string, { accepted: number; succeeded: number; failed: number; gate_open: boolean }>();
  for (const e of of<PilotEvent>(records, 'pilot-events')) {
    const key = `${e.key}/${e.campaignId}`;
    rows.set(key, { accepted: e.accepted, succeeded: e.succeeded, failed: e.failed, gate_open: (rows.get(key)?.gate_open ?? false) || e.gateOpen });
  }
  return rows;
}

/** The four ground truths of a scenario, in the shape `scenarioTables` reads the tables. */
export function scenarioTruths(records: readonly Produced[]) {
  return { campaigns: campaignsTruth(records), campaign_devices: campaignDevicesTruth(records), cell_utilisation: cellsTruth(records), pilot_success: pilotsTruth(records) };
}

/** What the projections wrote for the scenarios whose ids start with `prefix`, comparable with `scenarioTruths`. */
export async function scenarioTables(db: Kysely<Database>, prefix: string) {
  const like = `${prefix}%`;
  const campaigns = await db.selectFrom('campaigns').select(['campaign_id', 'status', 'schedule_kind', 'accepted', 'rejected', 'succeeded', 'failed', 'cancelled', 'device_count']).where('campaign_id', 'like', like).execute();
  const devices = await db.selectFrom('campaign_devices').select(['campaign_id', 'device_id', 'decision', 'status', 'cause', 'attempt']).where('campaign_id', 'like', like).execute();
  const cells = await db.selectFrom('cell_utilisation').select(['cell_id', 'cell_limit', 'in_use', 'waiting', 'peak_in_use', 'grants']).where('cell_id', 'like', like).execute();
  const pilots = await db.selectFrom('pilot_success').select(['make', 'model', 'target_version', 'campaign_id', 'accepted', 'succeeded', 'failed', 'gate_open']).where('campaign_id', 'like', like).execute();
  return {
    campaigns: new Map(campaigns.map(({ campaign_id, ...r }) => [campaign_id, r])),
    campaign_devices: new Map(devices.map(({ campaign_id, device_id, ...r }) => [`${campaign_id}/${device_id}`, r])),
    cell_utilisation: new Map(cells.map(({ cell_id, grants, ...r }) => [cell_id, { ...r, grants: Number(grants) }])),
    pilot_success: new Map(pilots.map(({ make, model, target_version, campaign_id, ...r }) => [`${make}|${model}|${target_version}/${campaign_id}`, r])),
  };
}

/** Deletes what the projections wrote for the scenarios whose ids and topics start with `prefix`. */
export async function deleteScenarioRows(db: Kysely<Database>, prefix: string): Promise<void> {
  const like = `${prefix}%`;
  await db.deleteFrom('campaigns').where('campaign_id', 'like', like).execute();
  await db.deleteFrom('campaign_devices').where('campaign_id', 'like', like).execute();
  await db.deleteFrom('cell_utilisation').where('cell_id', 'like', like).execute();
  await db.deleteFrom('pilot_success').where('campaign_id', 'like', like).execute();
  await db.deleteFrom('projection_offsets').where('topic', 'like', like).execute();
}
