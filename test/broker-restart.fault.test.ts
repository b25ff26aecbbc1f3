import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projections } from '../services/projector/projections.ts';
import { projectionGroup } from '../services/projector/sink.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { dedupedResults, launchCampaign, type CampaignRun } from '../scripts/lib/campaign-run.ts';
import { Pipeline, serviceNames } from '../scripts/lib/pipeline.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, limitsOf, runToCompletion } from './support/campaign-checks.ts';
import { createKafka } from '../services/runtime/kafka/client.ts';
import { watchCommits, type GroupCommit } from './support/group-commits.ts';
import { OwnBroker } from './support/own-broker.ts';

/** How long each outage lasts: long enough for every client's retries to run out at least once. */
const OUTAGE_MS = 15_000;
/**
 * Issue 9's goal for every service's first commit after the broker is back. Printed, not asserted:
 * on this 2-core machine it is met after a kill -9, and after a clean stop only when nothing else
 * runs (README "Broker outages"); the test asserts that no partition stays stuck.
 */
const RESUME_GOAL_MS = 10_000;
const DEVICES = 1000;

/**
 * Inputs that get one probe record per partition when the broker is back, so that every group —
 * idle ones too (pilot, verbose, members) — has something to consume and commit on every
 * partition. A probe is refused by every parser (a dead letter), and is JSON so that the test's
 * own recorders of JSON topics decode it and drop it as another campaign's.
 */
const probeTopics = ['campaign-commands', 'campaign-parts', 'device-checkins', 'cell-requests', 'pilot-requests', 'verbose-requests', 'campaign-events', 'cell-events', 'pilot-events', 'verbose-events'];

interface Probe {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** A consumer group of the pipeline and the topics it reads. */
interface Group {
  readonly service: string;
  readonly groupId: string;
  readonly topics: readonly string[];
}

/**
 * Measured from the broker being back: leading its partitions and coordinating its groups again.
 * Negative when the group committed before the test could see that.
 */
interface Resumption {
  readonly service: string;
  /** ms to the group's first commit. */
  readonly firstCommitMs: number | undefined;
  /** ms until the group had committed past the probe on every partition it reads. */
  readonly everyPartitionMs: number | undefined;
}

describe('broker restarts during a campaign', () => {
  let broker: OwnBroker;
  let t: Topology;
  let pipeline: Pipeline;
  let run: CampaignRun | undefined;

  beforeAll(async () => {
    broker = await OwnBroker.create('broker-restart');
    // The test's own clients lose the broker too: their connection errors are expected, not news.
    t = await createTopology('broker-restart', { env: { OTAFLOW_KAFKA_BROKERS: broker.brokers, OTAFLOW_LOG_LEVEL: 'fatal' } });
    pipeline = new Pipeline(t, t.prefix);
    pipeline.start();
  });
  afterAll(async () => {
    await run?.stop();
    // Killed, not stopped: the broker and its topics are thrown away with them.
    await Promise.all(Object.values(pipeline?.services ?? {}).map((s) => s.kill()));
    await broker?.dispose();
    if (broker) console.log(`broker-restart: the broker's log is ${broker.logFile}`);
  });

  it(`R-RES-4: a clean stop and a kill -9 of the broker during a ${DEVICES}-device campaign: every service process lives on and commits again on every partition without a restart, and every device ends with one result in effect`, async () => {
    const groups: Group[] = [
      ...serviceNames
        .filter((s) => s !== 'projector')
        .map((s) => ({ service: s, groupId: `${t.prefix}otaflow.${s}`, topics: [...t.names.specs.values()].filter((spec) => spec.consumers.includes(s)).map((spec) => t.names.name(spec.id)) })),
      ...projections.map((p) => ({ service: `projector ${p.name}`, groupId: projectionGroup(t.names, p), topics: p.topics.map((id) => t.names.name(id)) })),
    ];
    const probed = new Set(probeTopics.map((id) => t.names.name(id)));
    expect(groups.filter((g) => !g.topics.some((topic) => probed.has(topic))).map((g) => g.service), 'groups no probe reaches').toEqual([]);

    // Few cells, so the cells of limit 1 (R-CELL-1) keep the campaign running through both outages.
    const fleet = generateFleet({ devices: DEVICES, cells: 20, idPrefix: t.prefix, seed: 9 });
    const started = Date.now();
    run = await launchCampaign(t, fleet, `${t.prefix}campaign-broker-restart`);
    const finished = () => new Set(run!.results.values().map((r) => r.deviceId)).size;

    const outage = async (kind: 'clean stop' | 'kill -9', afterResults: number): Promise<Resumption[]> => {
      await waitFor(`${afterResults} results before the ${kind}`, () => finished() >= afterResults, 180_000, 100);
      const resultsBefore = finished();
      expect(resultsBefore, `the campaign must still be running at the ${kind}`).toBeLessThan(DEVICES);
      if (kind === 'clean stop') await broker.stop();
      else await broker.kill();
      const down = Date.now();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      const answering = await broker.start();
      const back = await broker.serving([...new Set(groups.flatMap((g) => g.topics))], groups.map((g) => g.groupId));
      console.log(
        `broker-restart: ${kind} at ${resultsBefore} results, ${Math.round((down - started) / 1000)} s in; down for ${answering - down} ms; ` +
          `answering at ${new Date(answering).toISOString()}, back (leading its partitions, groups loaded) ${back - answering} ms later`,
      );
      const probes = await sendProbes(t);
      const commits = await watchCommits(commitWatcher(t), answering, (c) => groups.every((g) => probesDone(g, probes, c) !== undefined), 60_000);
      const rows = groups.map((g) => ({
        service: g.service,
        firstCommitMs: since(back, firstAt(commits.filter((c) => c.group === g.groupId))),
        everyPartitionMs: since(back, probesDone(g, probes, commits)),
      }));
      console.log(`broker-restart: after the ${kind}, ms from the broker being back to each group's\n${table(rows)}`);
      return rows;
    };

    const afterStop = await outage('clean stop', DEVICES / 10);
    const afterKill = await outage('kill -9', DEVICES / 2);

    await runToCompletion(run, 300_000, '(after the broker restarts)');
    console.log(`broker-restart: ${DEVICES} results after ${Math.round((Date.now() - started) / 1000)} s`);
    expect(Object.values(pipeline.services).filter((s) => !s.running).map((s) => s.name), 'services that exited').toEqual([]);
    // R-RES-4 is exactly once in effect: a consumer that drops repeats of campaign + device +
    // attempt sees one result per device, and a repeat must say the same.
    const published = run.results.records;
    const repeated = published.filter((r) => published.filter((o) => o.value.deviceId === r.value.deviceId).length > 1);
    if (repeated.length > 0) console.log('broker-restart: results seen more than once', repeated.map((r) => ({ partition: r.partition, offset: r.offset, deviceId: r.value.deviceId, attempt: r.value.attempt, status: r.value.status, at: r.value.at })));
    const effective = dedupedResults(run.results.values());
    expect(effective.map((r) => r.deviceId).sort(), 'one result per device once repeats are dropped').toEqual(fleet.map((d) => d.deviceId).sort());
    expect(repeated.filter((r) => effective.find((e) => e.deviceId === r.value.deviceId)!.status !== r.value.status), 'repeats that disagree').toEqual([]);
    expect(expectCellsWithinLimits(run, '(after the broker restarts)').size).toBe(limitsOf(fleet).size);
    for (const [kind, rows] of Object.entries({ 'clean stop': afterStop, 'kill -9': afterKill })) {
      const slow = rows.filter((r) => r.firstCommitMs !== undefined && r.firstCommitMs > RESUME_GOAL_MS).map((r) => `${r.service} ${r.firstCommitMs} ms`);
      console.log(`broker-restart: after the ${kind}, first commits later than the ${RESUME_GOAL_MS} ms goal: ${slow.join(', ') || 'none'}`);
      expect(rows.filter((r) => r.everyPartitionMs === undefined).map((r) => r.service), `groups with a partition stuck for a minute after the ${kind}`).toEqual([]);
    }
  }, 600_000);
});

/** One probe record on every partition of every probe topic; returns where each landed. */
async function sendProbes(t: Topology): Promise<Probe[]> {
  const producer = t.kafka.producer();
  await producer.connect();
  try {
    const value = JSON.stringify({ probe: 'the broker is back' });
    const sent = await producer.sendBatch(
      probeTopics.map((id) => ({
        topic: t.names.name(id),
        messages: Array.from({ length: t.partitions }, (_, partition) => ({ key: `probe-${partition}`, value, partition })),
      })),
    );
    return sent.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.baseOffset }));
  } finally {
    await producer.disconnect();
  }
}

/** When the group had committed past every probe on the topics it reads, or undefined if it has not. */
function probesDone(g: Group, probes: readonly Probe[], commits: readonly GroupCommit[]): number | undefined {
  let last = 0;
  for (const p of probes.filter((p) => g.topics.includes(p.topic))) {
    const past = firstAt(commits.filter((c) => c.group === g.groupId && c.topic === p.topic && c.partition === p.partition && c.offset > p.offset));
    if (past === undefined) return undefined;
    last = Math.max(last, past);
  }
  return last;
}

/**
 * The client that reads the broker's log of commits: kafkajs, whichever driver the services run
 * on, as @platformatic/kafka does not see internal topics (its metadata leaves them out).
 */
const commitWatcher = (t: Topology) => createKafka({ ...t.config, kafkaDriver: 'kafkajs' }, t.logger, 'otaflow-test-commit-watch');

const firstAt = (commits: readonly GroupCommit[]): number | undefined => (commits.length === 0 ? undefined : Math.min(...commits.map((c) => c.at)));
const since = (from: number, at: number | undefined): number | undefined => (at === undefined ? undefined : at - from);

function table(rows: readonly Resumption[]): string {
  const ms = (v: number | undefined) => (v === undefined ? 'never' : String(v)).padStart(16);
  return [`${'group'.padEnd(28)}${'first commit'.padStart(16)}${'every partition'.padStart(16)}`, ...rows.map((r) => `${r.service.padEnd(28)}${ms(r.firstCommitMs)}${ms(r.everyPartitionMs)}`)].join('\n');
}
