// Only Kafka shows this: 20 SIGKILLs of the cell process, each restart restoring from the changelog and fencing the old producer.
import { describe, expect, it } from 'vitest';
import { generateFleet, seededRandom } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, limitsOf, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

const KILLS = 20;

describe('cell process killed repeatedly', () => {
  const suite = pipelineSuite('cell-kills');

  it(`R-CELL-3, R-RES-4: the cell process killed at ${KILLS} random points of a 5,000-device, 200-cell run never lets a cell exceed its limit, and every device ends with exactly one final result`, async () => {
    const { t, pipeline } = suite;
    const seed = Number(process.env.OTAFLOW_TEST_SEED ?? Date.now() % 2 ** 31);
    const random = seededRandom(seed);
    const replay = `seed ${seed}, replay with OTAFLOW_TEST_SEED=${seed}`;
    console.log(`cell-kills: ${replay}`);

    const fleet = generateFleet({ devices: 5000, cells: 200, idPrefix: t.prefix, seed: 31 });
    const started = Date.now();
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-kills`);
    suite.runs.push(run);
    const results = run.results;
    const finished = () => new Set(results.values().map((r) => r.deviceId)).size;
    const cell = pipeline.services.cell;

    // Each kill waits until the running cell process has itself committed a random number of cell
    // events (at most fleet/40): its events are those stamped after it was started. Counting
    // results instead would let kills land back to back on processes that had not even joined
    // the group yet, while devices that already held tokens kept finishing.
    const maxStep = Math.floor(fleet.length / 40);
    const kills: { kill: number; step: number; results: number; cellEvents: number; atSeconds: number }[] = [];
    let startedAt = 0;
    const eventsOfRunningProcess = () => run.cellEvents.values().filter((e) => e.at >= startedAt).length;
    for (let i = 1; i <= KILLS; i++) {
      const step = 1 + Math.floor(random() * maxStep);
      await waitFor(`the cell process to commit ${step} cell events before kill ${i} (${replay})`, () => eventsOfRunningProcess() >= step || finished() >= fleet.length, 120_000, 20);
      if (finished() >= fleet.length) {
        throw new Error(`the campaign finished after only ${i - 1} of ${KILLS} kills of the cell process; choose a smaller progress per kill (${replay})`);
      }
      await cell.kill();
      kills.push({ kill: i, step, results: results.records.length, cellEvents: run.cellEvents.records.length, atSeconds: Math.round((Date.now() - started) / 1000) });
      startedAt = Date.now();
      cell.start(`r${i}`);
    }
    console.log('cell-kills: kill points', kills);
    expect(kills).toHaveLength(KILLS);
    expect(kills.at(-1)!.results).toBeLessThan(fleet.length);

    await runToCompletion(run, 420_000, `(${replay})`);
    console.log(`cell-kills: ${fleet.length} results after ${Math.round((Date.now() - started) / 1000)} s with ${KILLS} kills`);
    expect(expectOneResultEach(run, replay).filter((r) => r.status !== 'UpgradeSuccess'), replay).toEqual([]);
    expect(expectCellsWithinLimits(run, `(${replay})`).size, replay).toBe(limitsOf(fleet).size);
  }, 600_000);
});
