import { describe, it } from 'vitest';
import { expectTruthAndReplaySafe, projectionSuite } from '../../../test/support/projection-harness.ts';
import { campaignDevicesTruth, produceScenario, projectionScenario } from '../../../test/support/projection-scenario.ts';
import { campaignDevicesProjection } from './index.ts';

describe('campaign_devices projection', () => {
  const suite = projectionSuite('proj-devices', 'campaign_devices', 'campaign_id');

  it("R-REQ-4, R-RES-4: each device's decision and final status, cause and attempt equal a ground-truth fold of the two topics, and a replay from the first offset changes nothing", async () => {
    const { t, db } = suite;
    const records = projectionScenario(t.prefix, { campaigns: 6, devices: 200, seed: 11 });
    await produceScenario(t, records);
    const read = async () => {
      const rows = await db.selectFrom('campaign_devices').select(['campaign_id', 'device_id', 'decision', 'status', 'cause', 'attempt']).where('campaign_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ campaign_id, device_id, ...r }) => [`${campaign_id}/${device_id}`, r]));
    };
    await expectTruthAndReplaySafe(t, db, campaignDevicesProjection, campaignDevicesTruth(records), read);
  });
});
