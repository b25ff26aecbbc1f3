// Only Kafka shows this: a SIGKILLed cell process restored from its changelog, with transactions that neither lose nor double a grant or a result.
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, limitsOf, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('cell actor crash', () => {
  const suite = pipelineSuite('crash');

  it('R-CELL-3, R-RES-4: a SIGKILL of the cell process mid-campaign neither exceeds a cell limit nor loses or duplicates a result', async () => {
    const { t, pipeline } = suite;
    const fleet = generateFleet({ devices: 240, cells: 8, idPrefix: t.prefix, seed: 11 });
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-crash`);
    suite.runs.push(run);

    await waitFor('a third of the devices to finish', () => run.results.records.length >= fleet.length / 3, 120_000);
    await pipeline.services.cell.kill();
    const atKill = run.results.records.length;
    pipeline.services.cell.start('restarted');

    await runToCompletion(run, 180_000);
    expect(atKill).toBeLessThan(fleet.length);
    expect(expectOneResultEach(run).every((r) => r.status === 'UpgradeSuccess')).toBe(true);
    expect(expectCellsWithinLimits(run).size).toBe(limitsOf(fleet).size);
  });
});
