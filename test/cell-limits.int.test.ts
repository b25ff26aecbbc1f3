import { describe, expect, it } from 'vitest';
import { cellLimit } from '../services/cell/cell-limit.ts';
import { generateFleet, radioClasses } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { expectCellsWithinLimits, expectOneResultEach, limitsOf, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('cell limits under load', () => {
  const suite = pipelineSuite('cell-limits');

  it('R-CELL-1, R-CELL-3: 500 devices in one cell with limit 10 never hold more than 10 tokens at once', async () => {
    const { t } = suite;
    const radio = radioClasses[1];
    expect(cellLimit(radio)).toBe(10);
    const fleet = generateFleet({ devices: 500, cells: 1, idPrefix: `${t.prefix}one-`, seed: 21 }).map((d) => ({ ...d, rsrp: radio.rsrp, sinr: radio.sinr }));
    const [cellId] = limitsOf(fleet).keys();
    expect(limitsOf(fleet)).toEqual(new Map([[cellId, 10]]));

    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-one-cell`);
    suite.runs.push(run);
    await runToCompletion(run, 180_000);
    expect(expectOneResultEach(run).every((r) => r.status === 'UpgradeSuccess')).toBe(true);

    const concurrency = expectCellsWithinLimits(run);
    expect([...concurrency.keys()]).toEqual([cellId]);
    const cell = concurrency.get(cellId!)!;
    expect(cell.grants).toBe(fleet.length);
    expect(cell.limits).toEqual([10, 10]);
    // With 500 devices waiting, the cell is used up to its limit.
    expect(cell.peak).toBe(10);
    expect([...run.simulator.peakByCell.keys()]).toEqual([cellId]);
  });

  it('R-CELL-1, R-CELL-2: with mixed radio, each cell\'s peak equals its limit when enough devices wait', async () => {
    const { t } = suite;
    // Cell i gets radio class i % 3: one cell each of limit 50, 10 and 1, with 120 devices each.
    const fleet = generateFleet({ devices: 360, cells: 3, idPrefix: `${t.prefix}mixed-`, seed: 22 });
    const limitOf = limitsOf(fleet);
    expect([...limitOf.values()].sort((a, b) => a - b)).toEqual([1, 10, 50]);
    for (const cellId of limitOf.keys()) expect(fleet.filter((d) => d.cellId === cellId).length, cellId).toBeGreaterThanOrEqual(limitOf.get(cellId)!);

    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-mixed`);
    suite.runs.push(run);
    await runToCompletion(run, 180_000);
    expectOneResultEach(run);

    const concurrency = expectCellsWithinLimits(run);
    expect(new Set(concurrency.keys())).toEqual(new Set(limitOf.keys()));
    const peaks = Object.fromEntries([...concurrency.values()].map((c) => [c.cellId, { limit: limitOf.get(c.cellId), peak: c.peak, simulator: run.simulator.peakByCell.get(c.cellId) }]));
    console.log('mixed radio peaks', peaks);
    for (const c of concurrency.values()) {
      const limit = limitOf.get(c.cellId)!;
      expect(c.limits, c.cellId).toEqual([limit, limit]);
      expect(c.peak, c.cellId).toBe(limit);
    }
  });
});
