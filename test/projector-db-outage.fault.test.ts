import { existsSync, readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { createDatabase, type Database } from '../services/projector/database.ts';
import { unavailability } from '../services/projector/db-errors.ts';
import { partitionEnds } from '../services/projector/partition-ends.ts';
import { projections } from '../services/projector/projections.ts';
import { projectionGroup } from '../services/projector/sink.ts';
import { deleteScenarioRows, produceScenario, projectionScenario, scenarioTables, scenarioTruths, type Produced } from './support/projection-scenario.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const OUTAGE_MS = 60_000;
/** How long the events keep coming: through the start, the outage and the catch-up. */
const FLOW_MS = 90_000;
const FLOW_EVERY_MS = 500;
const RSS_GROWTH_LIMIT_MB = 200;
const RESUME_LIMIT_MS = 5_000;
const CATCH_UP_LIMIT_MS = 30_000;

describe('projector during a database outage', () => {
  let t: Topology;
  let db: Kysely<Database>;
  let proxy: TcpProxy;
  beforeAll(async () => {
    t = await createTopology('projector-db-outage');
    db = createDatabase(t.config.databaseUrl);
    const target = new URL(t.config.databaseUrl);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterAll(async () => {
    await proxy?.stop();
    if (db) await deleteScenarioRows(db, t.prefix);
    await db?.destroy();
    await t?.dispose();
  });

  it('a connection that dies while idle or in a transaction fails only the work using it, as the database being unavailable: the process goes on and the pool reconnects once it is back', async () => {
    const proxied = createDatabase(proxiedUrl(t, proxy));
    try {
      await sql`select 1`.execute(proxied);
      const lost = await proxied
        .transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          // Between two statements: pg reports the loss on the checked-out client, outside any query.
          await proxy.cut();
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`select 1`.execute(trx);
        })
        .then(() => undefined, (e: unknown) => e);
      expect(unavailability(lost)).toBeDefined();
      expect(unavailability(await sql`select 1`.execute(proxied).catch((e: unknown) => e))).toBe('ECONNREFUSED');
      await proxy.restore();
      expect((await sql<{ n: number }>`select 1 as n`.execute(proxied)).rows).toEqual([{ n: 1 }]);
    } finally {
      await proxy.restore();
      await proxied.destroy();
    }
  });

  it('R-RES-4: a projector whose database is cut for 60 s under a steady flow of events (and is missing at start) never exits, keeps its memory and its consumer group membership, resumes within 5 s of the database coming back and projects every event once', async () => {
    const seed = Number(process.env.OTAFLOW_TEST_SEED ?? Date.now() % 2 ** 31);
    const replay = `seed ${seed}, replay with OTAFLOW_TEST_SEED=${seed}`;
    const records = projectionScenario(t.prefix, { campaigns: 40, devices: 250, seed });
    const filled = projections.filter((p) => p.topics.some((id) => records.some((r) => r.topic === id)));
    const projector = new ServiceProcess('projector', { ...t.env, DATABASE_URL: proxiedUrl(t, proxy) }, t.prefix.slice(0, -1));
    const logLines = () =>
      (existsSync(projector.logFile) ? readFileSync(projector.logFile, 'utf8') : '')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string; what?: string; kind?: string; unavailableMs?: number });
    const logged = (msg: string) => logLines().filter((l) => l.msg === msg);
    const committed = async () => Number((await db.selectFrom('projection_offsets').select((eb) => eb.fn.sum<string>('next_offset').as('n')).where('topic', 'like', `${t.prefix}%`).executeTakeFirst())?.n ?? 0);
    const rss: { at: number; mb: number }[] = [];
    let sampling: NodeJS.Timeout | undefined;
    let flow: Promise<void> | undefined;
    try {
      // Down at start: the migrations wait for the database instead of failing the start.
      await proxy.cut();
      projector.start();
      const pid = projector.pid!;
      await waitFor('the projector to wait for the database at start', () => logged('database unavailable, retrying').some((l) => l.what === 'migrations'), 60_000, 100);
      await proxy.restore();
      sampling = setInterval(() => rss.push({ at: Date.now(), mb: rssMb(pid) }), 250);
      flow = steadyFlow(t, records, FLOW_MS, FLOW_EVERY_MS);

      await waitFor('the projector to commit the first 3,000 offsets', async () => (await committed()) >= 3_000, 60_000, 100);
      const members = await groupMembers(t);
      const cutAt = Date.now();
      await proxy.cut();
      await waitFor('the projector to find the database unavailable', () => logged('database unavailable, retrying').some((l) => l.what?.startsWith('projection ')), 10_000, 100);
      const committedAtCut = await committed();
      await new Promise((resolve) => setTimeout(resolve, cutAt + OUTAGE_MS - Date.now()));
      expect(await committed(), 'nothing commits while the database is cut').toBe(committedAtCut);
      const backlog = await endsOf(t, filled);
      const restoredAt = Date.now();
      await proxy.restore();
      await waitFor('the first commit after the database is back', async () => (await committed()) > committedAtCut, 60_000, 20);
      const resumeMs = Date.now() - restoredAt;
      await waitFor('the projector to commit what was produced during the outage', () => reached(db, t, backlog), 120_000, 50);
      const catchUpMs = Date.now() - restoredAt;
      const caughtUpAt = Date.now();

      await flow;
      const ends = await endsOf(t, filled);
      await waitFor('the projector to commit every event of the flow', () => reached(db, t, ends), 120_000, 50);
      clearInterval(sampling);

      const peak = (from: number, to: number) => Math.max(...rss.filter((s) => s.at >= from && s.at < to).map((s) => s.mb));
      const before = peak(0, cutAt);
      const during = peak(cutAt, restoredAt);
      const catchingUp = peak(restoredAt, caughtUpAt);
      const behind = backlog.reduce((n, e) => n + Number(e.high), 0) - committedAtCut;
      console.log(
        `projector database outage (${replay}): ${records.length} events over ${FLOW_MS / 1000} s; ${OUTAGE_MS / 1000} s cut; ` +
          `RSS peak before ${before} MB, during ${during} MB, catching up ${catchingUp} MB; ` +
          `restore → first commit ${resumeMs} ms, → caught up with the outage's backlog (${behind} offsets over ${filled.length} projections) ${catchUpMs} ms`,
      );

      expect(projector.running, 'the projector never exited').toBe(true);
      expect(projector.pid, 'the same process throughout, never restarted').toBe(pid);
      expect(during - before, `RSS growth during the outage (MB), limit ${RSS_GROWTH_LIMIT_MB}`).toBeLessThan(RSS_GROWTH_LIMIT_MB);
      expect(resumeMs, 'restore → first commit (ms)').toBeLessThanOrEqual(RESUME_LIMIT_MS);
      expect(catchUpMs, 'restore → caught up (ms)').toBeLessThanOrEqual(CATCH_UP_LIMIT_MS);
      // Heartbeats went on while the batches waited: the members that were in before the cut are still in.
      expect(await groupMembers(t), 'no consumer lost its group membership').toEqual(members);
      expect(await scenarioTables(db, t.prefix), replay).toEqual(scenarioTruths(records));
      // Two outages, at start and under the flow: each said once, with its kind, and its end.
      expect(logged('database unavailable, retrying').map((l) => [l.what?.split(' ')[0], l.kind])).toEqual([
        ['migrations', 'ECONNREFUSED'],
        ['projection', expect.any(String)],
      ]);
      expect(logged('database available again')).toHaveLength(2);
      expect(logged('database available again')[1]!.unavailableMs).toBeGreaterThanOrEqual(OUTAGE_MS - 10_000);
      expect(logged('dead-lettered'), 'an unavailable database never dead-letters').toEqual([]);
      expect(logged('database work failed, retrying'), 'every failure was recognised as the database being unavailable').toEqual([]);

      // Stopped while it waits for the database: the waits end, the consumers leave and the process exits cleanly.
      await proxy.cut();
      await produceScenario(t, projectionScenario(`${t.prefix}late-`, { campaigns: 1, devices: 10, seed }));
      await waitFor('the projector to find the database unavailable again', () => logged('database unavailable, retrying').length === 3, 30_000, 100);
      const stopping = Date.now();
      expect(await projector.stop(), 'exit code of a stop during an outage').toBe(0);
      console.log(`projector stopped during an outage in ${Date.now() - stopping} ms`);
    } finally {
      clearInterval(sampling);
      await proxy.restore();
      await flow?.catch(() => undefined);
      await projector.stop();
    }
  }, 360_000);
});

/** The database's URL through the proxy. */
function proxiedUrl(t: Topology, proxy: TcpProxy): string {
  const url = new URL(t.config.databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

/** Produces the records, in order, in equal slices spread over `durationMs`: a flow that keeps coming whatever the projector does. */
async function steadyFlow(t: Topology, records: readonly Produced[], durationMs: number, everyMs: number): Promise<void> {
  const slices = durationMs / everyMs;
  const start = Date.now();
  for (let i = 0; i < slices; i++) {
    await produceScenario(t, records.slice(Math.floor((records.length * i) / slices), Math.floor((records.length * (i + 1)) / slices)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (i + 1) * everyMs - Date.now())));
  }
}

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

/** Per projection, the ends of its topics' partitions now. */
async function endsOf(t: Topology, filled: typeof projections): Promise<{ projection: string; topic: string; partition: number; high: bigint }[]> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const ends = await partitionEnds(admin, [...new Set(filled.flatMap((p) => p.topics))].map((id) => t.names.name(id)));
    return filled.flatMap((p) => ends.filter((e) => p.topics.some((id) => t.names.name(id) === e.topic)).map((e) => ({ projection: p.name, topic: e.topic, partition: e.partition, high: e.high })));
  } finally {
    await admin.disconnect();
  }
}

/** True once projection_offsets has reached every end: the rows of every record below them are committed. */
async function reached(db: Kysely<Database>, t: Topology, ends: Awaited<ReturnType<typeof endsOf>>): Promise<boolean> {
  const stored = await db.selectFrom('projection_offsets').select(['projection', 'topic', 'partition', 'next_offset']).where('topic', 'like', `${t.prefix}%`).execute();
  const at = new Map(stored.map((r) => [`${r.projection}/${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  return ends.every((e) => e.high === 0n || (at.get(`${e.projection}/${e.topic}:${e.partition}`) ?? -1n) >= e.high);
}

/** The member ids of every projection's consumer group. */
async function groupMembers(t: Topology): Promise<Record<string, string[]>> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const groups = await admin.describeGroups(projections.map((p) => projectionGroup(t.names, p)));
    return Object.fromEntries(groups.map((g) => [g.groupId, g.members.map((m) => m.memberId).sort()]));
  } finally {
    await admin.disconnect();
  }
}
