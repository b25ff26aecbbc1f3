import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { OutMessage, Producer } from '../../services/runtime/kafka/port.ts';
import { createDatabase, type Database } from '../../services/projector/database.ts';
import { projections } from '../../services/projector/projections.ts';
import { hasReadTo, partitionEnds, type PartitionEnd } from '../../services/projector/partition-ends.ts';
import { startProjection, type RunningProjection } from '../../services/projector/sink.ts';
import { projectionEvents, type ProjectionRecord } from './projection-events.ts';
import { createTopology, type Topology } from './topology.ts';
import type { KafkaDriver } from '../../services/runtime/config.ts';
import { waitFor } from './wait-for.ts';

export interface ProjectorBenchOptions {
  /** Records replayed from the start of the topics. */
  readonly events: number;
  /** Records a second produced while the projections keep up. */
  readonly rate: number;
  readonly seconds: number;
  /** The Kafka driver the projector and the bench's producers use (OTAFLOW_KAFKA_DRIVER). */
  readonly driver: KafkaDriver;
  readonly progress: (line: string) => void;
}

export interface LagFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ProjectorBenchReport {
  readonly projections: readonly string[];
  readonly replay: {
    /** Records on the topics: one read by two projections counts once. */
    readonly records: number;
    readonly recordsByTopic: Readonly<Record<string, number>>;
    /** From starting the projections until each has committed its topics' last offsets. */
    readonly seconds: number;
    /** Of `seconds`, starting the consumers (group joins). */
    readonly startSeconds: number;
    readonly recordsPerSecond: number;
    readonly rowsByTable: Readonly<Record<string, number>>;
    /** Share of the time this process (projections, producer, probes: one thread) was busy. */
    readonly eventLoopBusy: number;
    /** Per projection: SQL transactions, and the events they made visible. */
    readonly commits: Readonly<Record<string, { readonly transactions: number; readonly events: number }>>;
  };
  readonly live: {
    readonly targetRate: number;
    readonly records: number;
    readonly produceSeconds: number;
    readonly producedPerSecond: number;
    /** From the last send until every projection had committed everything. */
    readonly drainSeconds: number;
    /** The rate held (95% of the target) and everything was committed within DRAIN_LIMIT_S of the last send. */
    readonly keptUp: boolean;
    readonly eventLoopBusy: number;
    /** Commit time minus the record's produce time, over every (projection, record) pair. */
    readonly lagMs: LagFigures & { readonly byProjection: Readonly<Record<string, LagFigures>> };
    /** p99 lag of the records produced in each successive 5 s: flat when the projections keep up. */
    readonly lagP99MsPer5s: readonly number[];
  };
}

const POOL_SIZE = 10;
// Five thousand records a send, spread over the partitions, stay far below the broker's 1 MiB batch limit.
const REPLAY_SEND = 5_000;
const SLICE_MS = 50;
const WINDOW_MS = 5_000;
const DRAIN_LIMIT_S = 5;

/**
 * Replays `events` records through every projection into PostgreSQL, then produces `rate`
 * records a second for `seconds` while they keep up and measures each record's lag to its
 * commit. Runs on a topology of its own and deletes its rows and offsets afterwards.
 */
export async function projectorBench(o: ProjectorBenchOptions): Promise<ProjectorBenchReport> {
  const t = await createTopology('bench-projector', { env: { OTAFLOW_KAFKA_DRIVER: o.driver } });
  const db = createDatabase(t.config.databaseUrl, POOL_SIZE);
  const producer = t.kafka.producer();
  const topics = [...new Set(projections.flatMap((p) => p.topics))];
  // Records are stamped about a millisecond apart: starting that far back keeps every check-in
  // behind the projector's clock, which refuses those ahead of it (the device service does too).
  const events = (idPrefix: string, records: number) => projectionEvents({ records, idPrefix, topics, startAt: Date.now() - 2 * records });
  const running: RunningProjection[] = [];
  const commits = Object.fromEntries(projections.map((p) => [p.name, { transactions: 0, events: 0 }]));
  const lags = new Map(projections.map((p) => [p.name, { producedAt: [] as number[], lag: [] as number[] }]));
  let measureFrom = Infinity;
  // The timestamps are Kafka's CreateTime, set by the producer as it sends.
  const onCommitted = (projection: string, timestamps: readonly number[]) => {
    const now = Date.now();
    commits[projection]!.transactions++;
    commits[projection]!.events += timestamps.length;
    const l = lags.get(projection)!;
    for (const ts of timestamps) {
      if (ts < measureFrom) continue;
      l.producedAt.push(ts);
      l.lag.push(now - ts);
    }
  };
  try {
    await producer.connect();
    o.progress(`producing ${o.events} records to ${topics.join(', ')} (setup, not timed)`);
    const recordsByTopic: Record<string, number> = {};
    let batch: ProjectionRecord[] = [];
    for (const r of events(`${t.prefix}replay-`, o.events)) {
      recordsByTopic[r.topicId] = (recordsByTopic[r.topicId] ?? 0) + 1;
      batch.push(r);
      if (batch.length === REPLAY_SEND) {
        await send(producer, encode(t, batch));
        batch = [];
      }
    }
    await send(producer, encode(t, batch));

    o.progress(`replaying them through ${projections.map((p) => p.name).join(', ')}`);
    let ends = await endsOf(t, topics);
    const replayStarted = Date.now();
    const replayLoop = performance.eventLoopUtilization();
    for (const p of projections) running.push(await startProjection(p, { kafka: t.kafka, db, names: t.names, codecs: t.codecs, logger: t.logger, now: Date.now, onCommitted }));
    const startSeconds = (Date.now() - replayStarted) / 1000;
    await waitFor('every projection to commit the replay', () => committedUpTo(t, running, ends), 1_800_000, 20);
    const seconds = (Date.now() - replayStarted) / 1000;
    const replayBusy = performance.eventLoopUtilization(replayLoop).utilization;
    await expectNoDeadLetters(t, topics);
    const replay = { records: o.events, recordsByTopic, seconds, startSeconds, recordsPerSecond: o.events / seconds, rowsByTable: await benchRows(db, t.prefix), eventLoopBusy: replayBusy, commits: structuredClone(commits) };

    const total = Math.round(o.rate * o.seconds);
    o.progress(`producing ${o.rate} records/s for ${o.seconds} s while the projections keep up`);
    // Encoded beforehand, so that pacing the sends is all the producer loop does.
    const live = encode(t, [...events(`${t.prefix}live-`, total)]);
    const perSlice = (o.rate * SLICE_MS) / 1000;
    measureFrom = Date.now();
    const liveLoop = performance.eventLoopUtilization();
    let sent = 0;
    for (let slice = 1; sent < total; slice++) {
      // A late slice sends what is due by now: the rate holds even when one send is slow.
      const due = Math.min(total, Math.round(Math.floor((Date.now() - measureFrom) / SLICE_MS + 1) * perSlice));
      if (due > sent) await send(producer, live.slice(sent, due));
      sent = due;
      await sleepUntil(measureFrom + slice * SLICE_MS);
    }
    const produced = Date.now();
    const produceSeconds = (produced - measureFrom) / 1000;
    ends = await endsOf(t, topics);
    await waitFor('every projection to commit the live records', () => committedUpTo(t, running, ends), 1_800_000, 20);
    const drainSeconds = (Date.now() - produced) / 1000;
    const liveBusy = performance.eventLoopUtilization(liveLoop).utilization;
    await expectNoDeadLetters(t, topics);
    const all = [...lags.values()];
    return {
      projections: projections.map((p) => p.name),
      replay,
      live: {
        targetRate: o.rate,
        records: total,
        produceSeconds,
        producedPerSecond: total / produceSeconds,
        drainSeconds,
        keptUp: total / produceSeconds >= 0.95 * o.rate && drainSeconds <= DRAIN_LIMIT_S,
        eventLoopBusy: liveBusy,
        lagMs: { ...lagFigures(all.flatMap((l) => l.lag)), byProjection: Object.fromEntries([...lags].map(([name, l]) => [name, lagFigures(l.lag)])) },
        lagP99MsPer5s: perWindow(all, measureFrom),
      },
    };
  } finally {
    for (const r of running) await r.stop();
    await producer.disconnect();
    await deleteBenchRows(db, t.prefix);
    await db.destroy();
    await t.dispose();
  }
}

function encode(t: Topology, records: readonly ProjectionRecord[]): { topic: string; message: OutMessage }[] {
  return records.map((r) => ({ topic: t.names.name(r.topicId), message: { key: r.key, value: t.codecs.get(r.topicId)!.encode(r.value) } }));
}

async function send(producer: Producer, records: readonly { topic: string; message: OutMessage }[]): Promise<void> {
  const byTopic = Map.groupBy(records, (r) => r.topic);
  await producer.sendBatch([...byTopic].map(([topic, rs]) => ({ topic, messages: rs.map((r) => r.message) })));
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** The ends of every partition of the topics, now. */
async function endsOf(t: Topology, topicIds: readonly string[]): Promise<PartitionEnd[]> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    return await partitionEnds(admin, topicIds.map((id) => t.names.name(id)));
  } finally {
    await admin.disconnect();
  }
}

/** A projection's positions move only after its SQL commit: past every end, everything is in the tables. */
function committedUpTo(t: Topology, running: readonly RunningProjection[], ends: readonly PartitionEnd[]): boolean {
  return projections.every((p, i) => hasReadTo(running[i]!, ends.filter((e) => p.topics.some((id) => t.names.name(id) === e.topic))));
}

/** A dead-lettered record is committed too, but projects nothing: the rate would mean nothing. */
async function expectNoDeadLetters(t: Topology, topicIds: readonly string[]): Promise<void> {
  const dlqs = topicIds.map((id) => t.names.spec(id).deadLetter).filter((d) => d !== undefined);
  const dead = (await endsOf(t, dlqs)).reduce((n, e) => n + e.high, 0n);
  if (dead > 0n) throw new Error(`${dead} records were dead-lettered (see ${dlqs.map((d) => t.names.name(d)).join(', ')}): the generator and a projection's parse disagree`);
}

const percentile = (sorted: Float64Array, p: number): number => (sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);

function lagFigures(lags: readonly number[]): LagFigures {
  const sorted = Float64Array.from(lags).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: percentile(sorted, 1) };
}

function perWindow(lags: readonly { producedAt: readonly number[]; lag: readonly number[] }[], from: number): number[] {
  const windows: number[][] = [];
  for (const l of lags) l.producedAt.forEach((ts, i) => (windows[Math.floor((ts - from) / WINDOW_MS)] ??= []).push(l.lag[i]!));
  return Array.from(windows, (w) => lagFigures(w ?? []).p99);
}

/**
 * Projections do not name their tables: the bench's rows are those of any table whose id
 * column starts with the topology's prefix, which every generated id does.
 */
async function idColumns(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name
      from information_schema.columns c
      join information_schema.tables t using (table_schema, table_name)
     where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
       and c.column_name like '%\\_id' and c.data_type in ('text', 'character varying')
       and c.table_name <> 'projection_offsets' and c.table_name not like 'kysely\\_%'`.execute(db);
  return new Map([...Map.groupBy(rows, (r) => r.table_name)].map(([table, cs]) => [table, cs.map((c) => c.column_name)]));
}

const ofPrefix = (columns: readonly string[], prefix: string) => sql.join(columns.map((c) => sql`starts_with(${sql.ref(c)}, ${prefix})`), sql` or `);

async function benchRows(db: Kysely<Database>, prefix: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, columns] of await idColumns(db)) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${ofPrefix(columns, prefix)}`.execute(db);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

async function deleteBenchRows(db: Kysely<Database>, prefix: string): Promise<void> {
  for (const [table, columns] of await idColumns(db)) await sql`delete from ${sql.table(table)} where ${ofPrefix(columns, prefix)}`.execute(db);
  await db.deleteFrom('projection_offsets').where(sql<boolean>`starts_with(topic, ${prefix})`).execute();
}
