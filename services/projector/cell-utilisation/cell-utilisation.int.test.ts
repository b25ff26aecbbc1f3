import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTopology, type Topology } from '../../../scripts/lib/topology.ts';
import { expectTruthAndReplaySafe, testDatabase } from '../../../test/support/projection-harness.ts';
import { cellsTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import type { Database } from '../database.ts';
import { cellUtilisationProjection } from './index.ts';

describe('cell_utilisation projection', () => {
  let t: Topology;
  let db: Kysely<Database>;
  beforeAll(async () => {
    t = await createTopology('proj-cells');
    db = testDatabase(t);
  });
  afterAll(async () => {
    await db?.deleteFrom('cell_utilisation').where('cell_id', 'like', `${t.prefix}%`).execute();
    await db?.destroy();
    await t?.dispose();
  });

  it("R-CELL-3: limit, tokens in use, waiting, peak and grants per cell equal a ground-truth fold of the cell events, and a replay from the first offset changes nothing", async () => {
    const records = projectionScenario(t.prefix, { campaigns: 6, devices: 200, seed: 11 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db.selectFrom('cell_utilisation').select(['cell_id', 'cell_limit', 'in_use', 'waiting', 'peak_in_use', 'grants']).where('cell_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ cell_id, grants, ...r }) => [cell_id, { ...r, grants: Number(grants) }]));
    };
    await expectTruthAndReplaySafe(t, db, cellUtilisationProjection, cellsTruth(records), read);
  });
});
