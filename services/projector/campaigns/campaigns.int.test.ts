import { describe, it } from 'vitest';
import { expectTruthAndReplaySafe, projectionSuite } from '../../../test/support/projection-harness.ts';
import { campaignsRolloutTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import { campaignsProjection } from './index.ts';

describe('campaigns projection', () => {
  const suite = projectionSuite('proj-campaigns', 'campaigns', 'campaign_id');

  it('R-RES-4, R-REQ-1, R-SAFE-4, R-SAFE-6: status, schedule, counts, wave, releases, rate, pause and abort reasons and the estimate per campaign equal a ground-truth fold of the events and results, and a replay from the first offset changes nothing', async () => {
    const { t, db } = suite;
    const records = projectionScenario(t.prefix, { campaigns: 12, devices: 150, seed: 5 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db
        .selectFrom('campaigns')
        .select(['campaign_id', 'status', 'schedule_kind', 'accepted', 'rejected', 'succeeded', 'failed', 'cancelled', 'device_count', 'current_wave', 'released', 'rate_per_minute', 'pause_reason', 'abort_reason', 'estimated_end_at'])
        .where('campaign_id', 'like', `${t.prefix}%`)
        .execute();
      return new Map(rows.map(({ campaign_id, ...r }) => [campaign_id, r]));
    };
    await expectTruthAndReplaySafe(t, db, campaignsProjection, campaignsRolloutTruth(records), read);
  });
});
