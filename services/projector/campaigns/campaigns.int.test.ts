import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTopology, type Topology } from '../../../scripts/lib/topology.ts';
import { expectTruthAndReplaySafe, testDatabase } from '../../../test/support/projection-harness.ts';
import { campaignsTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import type { Database } from '../database.ts';
import { campaignsProjection } from './index.ts';

describe('campaigns projection', () => {
  let t: Topology;
  let db: Kysely<Database>;
  beforeAll(async () => {
    t = await createTopology('proj-campaigns');
    db = testDatabase(t);
  });
  afterAll(async () => {
    await db?.deleteFrom('campaigns').where('campaign_id', 'like', `${t.prefix}%`).execute();
    await db?.destroy();
    await t?.dispose();
  });

  it('R-RES-4, R-REQ-1: status, schedule and counts per campaign equal a ground-truth fold of the events and results, and a replay from the first offset changes nothing', async () => {
    const records = projectionScenario(t.prefix, { campaigns: 12, devices: 150, seed: 5 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db.selectFrom('campaigns').select(['campaign_id', 'status', 'schedule_kind', 'accepted', 'rejected', 'succeeded', 'failed', 'cancelled', 'device_count']).where('campaign_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ campaign_id, ...r }) => [campaign_id, r]));
    };
    await expectTruthAndReplaySafe(t, db, campaignsProjection, campaignsTruth(records), read);
  });
});
