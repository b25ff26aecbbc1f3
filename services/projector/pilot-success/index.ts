import { sql, type Kysely } from 'kysely';
import { parsePilotEvent, type PilotEvent } from '../../../contracts/pilot-events.ts';
import type { Database } from '../database.ts';
import { takeIncoming, toTimestamp, type Projection } from '../projection.ts';

/**
 * pilot_success (R-PILOT-3): per make+model+target and per pilot campaign, accepted,
 * succeeded, failed, rate and whether the gate is open; the pilot_gates view sums it up per
 * make+model+target.
 */
export const pilotSuccessProjection: Projection<PilotEvent, PilotEvent> = {
  name: 'pilot_success',
  topics: ['pilot-events'],
  parse: (_topic, value, key) => parsePilotEvent(value, key),
  keyOf: (e) => `${e.key}\u0000${e.campaignId}`,
  // Each event carries the pilot's full counts, so the latest one is the row.
  fold: (_change, e) => e,
  async write(trx, changes) {
    const rows = changes.map((e) => ({
      make: e.make,
      model: e.model,
      target_version: e.targetVersion,
      campaign_id: e.campaignId,
      accepted: e.accepted,
      succeeded: e.succeeded,
      failed: e.failed,
      rate: e.rate,
      gate_open: e.gateOpen,
      updated_at: toTimestamp(e.at)!,
    }));
    await trx
      .insertInto('pilot_success')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['make', 'model', 'target_version', 'campaign_id']).doUpdateSet({
          ...takeIncoming(['accepted', 'succeeded', 'failed', 'rate', 'updated_at']),
          gate_open: sql`pilot_success.gate_open or excluded.gate_open`,
        }),
      )
      .execute();
  },
  async clear(db) {
    await db.deleteFrom('pilot_success').execute();
  },
};

export function readPilotGate(db: Kysely<Database>, make: string, model: string, targetVersion: string) {
  return sql<{ gate_open: boolean; pilots: string; best_rate: number }>`select gate_open, pilots, best_rate from pilot_gates where make = ${make} and model = ${model} and target_version = ${targetVersion}`
    .execute(db)
    .then((r) => r.rows[0]);
}
