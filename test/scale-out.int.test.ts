// Only Kafka shows this: three instances of a service share its partitions, and when one dies the others fence its producers and restore its tasks.
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

const PARTITIONS = 12;

describe('scale-out beyond six instances', () => {
  const suite = pipelineSuite('scale', { OTAFLOW_PARTITIONS: String(PARTITIONS) });

  /** Partitions of the service's input topic per member of its consumer group. */
  async function shares(service: string, topicId: string): Promise<number[]> {
    const { t } = suite;
    const admin = t.kafka.admin();
    await admin.connect();
    try {
      const [group] = await admin.describeGroups([`${t.prefix}otaflow.${service}`]);
      const topic = t.names.name(topicId);
      return group!.members.map((m) => m.assignment[topic]?.length ?? 0).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  }

  it(`R-CELL-3, R-RES-4: three device and three cell instances share ${PARTITIONS} partitions; one of each is SIGKILLed mid-campaign and the rest finish it within every limit, one result per device`, async () => {
    const { t, pipeline } = suite;
    const extra = [pipeline.scaleOut('device', t.env, t.prefix, 'b'), pipeline.scaleOut('device', t.env, t.prefix, 'c'), pipeline.scaleOut('cell', t.env, t.prefix, 'b'), pipeline.scaleOut('cell', t.env, t.prefix, 'c')];
    expect(t.partitions).toBe(PARTITIONS);
    await waitFor('three device instances with 4 partitions each', async () => (await shares('device', 'device-checkins')).join() === '4,4,4', 60_000, 500);
    await waitFor('three cell instances with 4 partitions each', async () => (await shares('cell', 'cell-requests')).join() === '4,4,4', 60_000, 500);

    const fleet = generateFleet({ devices: 240, cells: 12, idPrefix: t.prefix, seed: 5 });
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-scale`);
    suite.runs.push(run);
    await waitFor('a quarter of the devices to finish', () => run.results.records.length >= fleet.length / 4, 120_000);
    // Dead without leaving their groups: once their sessions expire, the survivors take their
    // partitions, fence their producers and restore their devices and cells.
    await Promise.all([extra[0]!.kill(), extra[2]!.kill()]);
    const atKill = run.results.records.length;

    await runToCompletion(run, 180_000);
    expect(atKill).toBeLessThan(fleet.length);
    expectOneResultEach(run);
    expectCellsWithinLimits(run);
    expect(await shares('device', 'device-checkins')).toEqual([6, 6]);
    expect(await shares('cell', 'cell-requests')).toEqual([6, 6]);
  });
});
