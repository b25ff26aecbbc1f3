// Only the real stack shows this: every service as its own process, through Kafka transactions, down to the SQL rows.
import { afterAll, describe, expect, it } from 'vitest';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { readCampaignDevices, readFailureReasons } from '../services/projector/campaign-devices/index.ts';
import { readCells } from '../services/projector/cell-utilisation/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, limitsOf } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('walking skeleton', () => {
  const suite = pipelineSuite('skeleton');
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  afterAll(() => db.destroy());

  it('R-CELL-1, R-RES-4: check-ins to campaign to cell tokens to device commands to results to a projection row', async () => {
    const { t } = suite;
    const fleet = generateFleet({ devices: 60, cells: 6, idPrefix: t.prefix, failureRate: 0.1, seed: 7 });
    const campaignId = `${t.prefix}campaign-1`;
    const run = await launchCampaign(t, fleet, campaignId);
    suite.runs.push(run);

    const row = await waitFor('the campaign row to show it finished', async () => {
      const r = await readCampaign(db, campaignId);
      return r?.status === 'Finished' && r.succeeded + r.failed === fleet.length && r;
    }, 120_000, 200);

    const results = expectOneResultEach(run);
    const failed = fleet.filter((d) => d.resultCode !== 1).length;
    expect(results.filter((r) => r.status === 'UpgradeFailed')).toHaveLength(failed);
    expect(row).toMatchObject({ accepted: fleet.length, rejected: 0, succeeded: fleet.length - failed, failed, device_count: fleet.length });

    expectCellsWithinLimits(run);
    const limitOf = limitsOf(fleet);
    const cells = await waitFor('every cell to be projected', async () => {
      const rows = await readCells(db, [...limitOf.keys()]);
      return rows.length === limitOf.size && rows.every((r) => r.in_use === 0) && rows;
    });
    for (const c of cells) {
      expect(c.cell_limit).toBe(limitOf.get(c.cell_id));
      expect(c.peak_in_use).toBeLessThanOrEqual(c.cell_limit);
    }

    // R-RES-4: campaign_devices equals the results topic, device by device.
    const devices = await waitFor('every device row to be final', async () => {
      const rows = await readCampaignDevices(db, campaignId);
      return rows.length === fleet.length && rows.every((r) => r.finished_at !== null) && rows;
    });
    const byDevice = new Map(results.map((r) => [r.deviceId, r]));
    for (const row of devices) {
      const r = byDevice.get(row.device_id)!;
      expect(row, row.device_id).toMatchObject({ decision: 'Accepted', status: r.status, detail: r.detail, cause: r.cause, attempt: r.attempt, cell_id: r.cellId });
    }
    const reasons = await readFailureReasons(db, campaignId);
    expect(reasons.map((x) => [x.status, x.cause, Number(x.devices)])).toEqual(failed > 0 ? [['UpgradeFailed', 'Firmware update failed', failed]] : []);
  });
});
