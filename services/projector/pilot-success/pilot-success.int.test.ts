import { describe, it } from 'vitest';
import { expectTruthAndReplaySafe, projectionSuite } from '../../../test/support/projection-harness.ts';
import { pilotsTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import { pilotSuccessProjection } from './index.ts';

describe('pilot_success projection', () => {
  const suite = projectionSuite('proj-pilots', 'pilot_success', 'campaign_id');

  it("R-PILOT-3: counts and gate state per make+model+target and pilot campaign equal the latest pilot events, and a replay from the first offset changes nothing", async () => {
    const { t, db } = suite;
    const records = projectionScenario(t.prefix, { campaigns: 6, devices: 200, seed: 11 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db.selectFrom('pilot_success').select(['make', 'model', 'target_version', 'campaign_id', 'accepted', 'succeeded', 'failed', 'gate_open']).where('campaign_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ make, model, target_version, campaign_id, ...r }) => [`${make}|${model}|${target_version}/${campaign_id}`, r]));
    };
    await expectTruthAndReplaySafe(t, db, pilotSuccessProjection, pilotsTruth(records), read);
  });
});
