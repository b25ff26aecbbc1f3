import { describe, it } from 'vitest';
import { expectTruthAndReplaySafe, projectionSuite } from '../../../test/support/projection-harness.ts';
import { cellsTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import { cellUtilisationProjection } from './index.ts';

describe('cell_utilisation projection', () => {
  const suite = projectionSuite('proj-cells', 'cell_utilisation', 'cell_id');

  it("R-CELL-3: limit, tokens in use, waiting, peak and grants per cell equal a ground-truth fold of the cell events, and a replay from the first offset changes nothing", async () => {
    const { t, db } = suite;
    const records = projectionScenario(t.prefix, { campaigns: 6, devices: 200, seed: 11 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db.selectFrom('cell_utilisation').select(['cell_id', 'cell_limit', 'in_use', 'waiting', 'peak_in_use', 'grants']).where('cell_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ cell_id, grants, ...r }) => [cell_id, { ...r, grants: Number(grants) }]));
    };
    await expectTruthAndReplaySafe(t, db, cellUtilisationProjection, cellsTruth(records), read);
  });
});
