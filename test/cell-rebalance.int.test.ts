import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellLimit } from '../services/cell/cell-limit.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign, type CampaignRun } from '../scripts/lib/campaign-run.ts';
import { cellConcurrency } from '../scripts/lib/cell-concurrency.ts';
import { Pipeline } from '../scripts/lib/pipeline.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';

describe('cell service scale-out', () => {
  let t: Topology;
  let pipeline: Pipeline;
  let run: CampaignRun | undefined;
  beforeAll(async () => {
    t = await createTopology('rebalance');
    pipeline = new Pipeline(t, t.prefix);
    pipeline.start();
  });
  afterAll(async () => {
    await run?.stop();
    await pipeline?.stop();
    await t?.dispose();
  });

  it('R-CELL-3: when one of two cell instances dies, the other restores its cells and no limit is exceeded', async () => {
    const second = pipeline.scaleOut('cell', t.env, t.prefix, 'b');
    const fleet = generateFleet({ devices: 240, cells: 12, idPrefix: t.prefix, seed: 5 });
    run = await launchCampaign(t, fleet, `${t.prefix}campaign-rebalance`);
    const results = run.results;

    await waitFor('a quarter of the devices to finish', () => results.records.length >= fleet.length / 4, 120_000);
    // The first instance dies without leaving the group; after its session times out, the
    // survivor is assigned its partitions, fences its producers and restores its cells.
    await pipeline.services.cell.kill();
    const atKill = results.records.length;

    await waitFor('every device to finish', () => results.records.length >= fleet.length, 180_000, 100);
    expect(atKill).toBeLessThan(fleet.length);
    const perDevice = new Map<string, number>();
    for (const r of results.values()) perDevice.set(r.deviceId, (perDevice.get(r.deviceId) ?? 0) + 1);
    expect(perDevice.size).toBe(fleet.length);
    expect([...perDevice.values()].every((n) => n === 1)).toBe(true);

    const limitOf = new Map(fleet.map((d) => [d.cellId, cellLimit({ rsrp: d.rsrp, sinr: d.sinr })]));
    for (const c of cellConcurrency(run.cellEvents.values()).values()) expect(c.peak, c.cellId).toBeLessThanOrEqual(limitOf.get(c.cellId)!);
    for (const [cellId, peak] of run.simulator.peakByCell) expect(peak, cellId).toBeLessThanOrEqual(limitOf.get(cellId)!);
    await second.stop();
  });
});
