import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellLimit } from '../services/cell/cell-limit.ts';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { readCells } from '../services/projector/cell-utilisation/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign, type CampaignRun } from '../scripts/lib/campaign-run.ts';
import { cellConcurrency } from '../scripts/lib/cell-concurrency.ts';
import { Pipeline } from '../scripts/lib/pipeline.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';

describe('walking skeleton', () => {
  let t: Topology;
  let pipeline: Pipeline;
  let run: CampaignRun | undefined;
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  beforeAll(async () => {
    t = await createTopology('skeleton');
    pipeline = new Pipeline(t, t.prefix);
    pipeline.start();
  });
  afterAll(async () => {
    await run?.stop();
    await pipeline?.stop();
    await db.destroy();
    await t?.dispose();
  });

  it('R-CELL-1, R-RES-4: check-ins to campaign to cell tokens to device commands to results to a projection row', async () => {
    const fleet = generateFleet({ devices: 60, cells: 6, idPrefix: t.prefix, failureRate: 0.1, seed: 7 });
    const campaignId = `${t.prefix}campaign-1`;
    run = await launchCampaign(t, fleet, campaignId);

    const row = await waitFor('the campaign row to show it finished', async () => {
      const r = await readCampaign(db, campaignId);
      return r?.status === 'Finished' && r.succeeded + r.failed === fleet.length && r;
    }, 120_000, 200);

    const results = run.results.values();
    expect(new Set(results.map((r) => r.deviceId)).size).toBe(fleet.length);
    expect(results).toHaveLength(fleet.length);
    const failed = fleet.filter((d) => d.resultCode !== 1).length;
    expect(results.filter((r) => r.status === 'UpgradeFailed')).toHaveLength(failed);
    expect(row).toMatchObject({ accepted: fleet.length, rejected: 0, succeeded: fleet.length - failed, failed, device_count: fleet.length });

    const limitOf = new Map(fleet.map((d) => [d.cellId, cellLimit({ rsrp: d.rsrp, sinr: d.sinr })]));
    for (const c of cellConcurrency(run.cellEvents.values()).values()) {
      expect(c.peak, c.cellId).toBeLessThanOrEqual(limitOf.get(c.cellId)!);
    }
    for (const [cellId, peak] of run.simulator.peakByCell) expect(peak, cellId).toBeLessThanOrEqual(limitOf.get(cellId)!);
    const cells = await waitFor('every cell to be projected', async () => {
      const rows = await readCells(db, [...limitOf.keys()]);
      return rows.length === limitOf.size && rows.every((r) => r.in_use === 0) && rows;
    });
    for (const c of cells) {
      expect(c.cell_limit).toBe(limitOf.get(c.cell_id));
      expect(c.peak_in_use).toBeLessThanOrEqual(c.cell_limit);
    }
  });
});
