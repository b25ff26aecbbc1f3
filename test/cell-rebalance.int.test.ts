// Only Kafka shows this: a rebalance hands a dead instance's partitions to the survivor, which fences its producers and restores its cells.
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('cell service scale-out', () => {
  const suite = pipelineSuite('rebalance');

  it('R-CELL-3: when one of two cell instances dies, the other restores its cells and no limit is exceeded', async () => {
    const { t, pipeline } = suite;
    pipeline.scaleOut('cell', t.env, t.prefix, 'b');
    const fleet = generateFleet({ devices: 240, cells: 12, idPrefix: t.prefix, seed: 5 });
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-rebalance`);
    suite.runs.push(run);

    await waitFor('a quarter of the devices to finish', () => run.results.records.length >= fleet.length / 4, 120_000);
    // The first instance dies without leaving the group; after its session times out, the
    // survivor is assigned its partitions, fences its producers and restores its cells.
    await pipeline.services.cell.kill();
    const atKill = run.results.records.length;

    await runToCompletion(run, 180_000);
    expect(atKill).toBeLessThan(fleet.length);
    expectOneResultEach(run);
    expectCellsWithinLimits(run);
  });
});
