import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellLimit } from '../services/cell/cell-limit.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign, type CampaignRun } from '../scripts/lib/campaign-run.ts';
import { cellConcurrency } from '../scripts/lib/cell-concurrency.ts';
import { Pipeline } from '../scripts/lib/pipeline.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';

describe('cell actor crash', () => {
  let t: Topology;
  let pipeline: Pipeline;
  let run: CampaignRun | undefined;
  beforeAll(async () => {
    t = await createTopology('crash');
    pipeline = new Pipeline(t, t.prefix);
    pipeline.start();
  });
  afterAll(async () => {
    await run?.stop();
    await pipeline?.stop();
    await t?.dispose();
  });

  it('R-CELL-3, R-RES-4: a SIGKILL of the cell process mid-campaign neither exceeds a cell limit nor loses or duplicates a result', async () => {
    const fleet = generateFleet({ devices: 240, cells: 8, idPrefix: t.prefix, seed: 11 });
    run = await launchCampaign(t, fleet, `${t.prefix}campaign-crash`);
    const results = run.results;

    await waitFor('a third of the devices to finish', () => results.records.length >= fleet.length / 3, 120_000);
    const cell = pipeline.services.cell;
    await cell.kill();
    const atKill = results.records.length;
    cell.start('restarted');

    await waitFor('every device to finish', () => results.records.length >= fleet.length, 180_000, 100);
    expect(atKill).toBeLessThan(fleet.length);
    // Anything produced twice would show up here, after the stream is complete.
    await waitFor('no straggler beyond the fleet', async () => results.records.length === fleet.length);
    const perDevice = new Map<string, number>();
    for (const r of results.values()) perDevice.set(r.deviceId, (perDevice.get(r.deviceId) ?? 0) + 1);
    expect(perDevice.size).toBe(fleet.length);
    expect([...perDevice.values()].every((n) => n === 1)).toBe(true);
    expect(results.values().every((r) => r.status === 'UpgradeSuccess')).toBe(true);

    const limitOf = new Map(fleet.map((d) => [d.cellId, cellLimit({ rsrp: d.rsrp, sinr: d.sinr })]));
    const concurrency = cellConcurrency(run.cellEvents.values());
    expect(concurrency.size).toBe(limitOf.size);
    for (const c of concurrency.values()) expect(c.peak, c.cellId).toBeLessThanOrEqual(limitOf.get(c.cellId)!);
    for (const [cellId, peak] of run.simulator.peakByCell) expect(peak, cellId).toBeLessThanOrEqual(limitOf.get(cellId)!);
  });
});
