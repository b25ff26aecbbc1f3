import { sql, type Kysely, type Transaction } from 'kysely';
import { DEFAULT_MAX_CLOCK_SKEW_MS, type ParseContext } from '../runtime/actor.ts';
import type { TopicCodec } from '../runtime/codec.ts';
import { deadLetter, type DeadLetterSource } from '../runtime/dead-letter.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Admin, InMessage, KafkaClient, Producer } from '../runtime/kafka/port.ts';
import type { TopicNames } from '../runtime/topics.ts';
import type { GroupReadiness } from '../runtime/service.ts';
import type { ProjectorMetrics } from './projector-metrics.ts';
import type { Database } from './database.ts';
import { isRefusal } from './db-errors.ts';
import { DatabaseRetry } from './db-retry.ts';
import { foldByKey } from './fold.ts';
import type { AnyProjection } from './projection.ts';
import { createWritePipeline } from './write-pipeline.ts';

export interface SinkDeps {
  readonly kafka: KafkaClient;
  readonly db: Kysely<Database>;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly logger: Logger;
  /** The clock's time, against which timestamps from outside are checked. */
  readonly now: () => number;
  /** How far ahead of `now` a timestamp may be (default DEFAULT_MAX_CLOCK_SKEW_MS). */
  readonly maxClockSkewMs?: number;
  /** How long a batch waits, once the writer is idle, for other partitions' batches to join its transaction (default 10 ms). */
  readonly lingerMs?: number;
  /** Told the produce timestamps of the records each commit made visible (projection lag). */
  readonly onCommitted?: (projection: string, timestamps: readonly number[]) => void;
  /** Consumer group (default: the projection's own, projectionGroup). */
  readonly groupId?: string;
  /** Waits out database outages; share one between projections so an outage is logged once (default: the projection's own). */
  readonly databaseRetry?: DatabaseRetry;
  /** Where the projection counts its work (default: none). */
  readonly metrics?: ProjectorMetrics;
}

export interface RunningProjection {
  /** Settles with the error once its consumer crashed for good; whoever runs it starts it again (supervise.ts). */
  readonly failed: Promise<Error>;
  /** Batches waiting for or in a write. */
  inFlight(): number;
  /** Per "topic:partition", the offset after the last record this consumer has settled (transaction markers included). */
  positions(): ReadonlyMap<string, bigint>;
  readiness(): GroupReadiness;
  stop(): Promise<void>;
}

interface Decoded {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly source: DeadLetterSource;
  readonly event?: unknown;
  /** Why the projection refused the record, if it did. */
  readonly refused?: string;
}

interface Folded {
  readonly event: unknown;
  readonly source: DeadLetterSource;
}

/** One fetched batch of one topic-partition, decoded, on its way to the database. */
interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  /**
   * Where this consumer's reading of the partition is continuous from: the fetch's offset, or
   * earlier when batches of transaction markers only (which never reach eachBatch) preceded it.
   */
  readonly continuesFrom: bigint;
  readonly nextOffset: bigint;
  readonly records: readonly Decoded[];
}

/** `behind`: records between the stored offset and this batch were never written (a rebuild reset it, or another consumer fell behind): consume from there. */
type Outcome = { readonly kind: 'committed' } | { readonly kind: 'behind'; readonly storedOffset: bigint };

/**
 * Runs one projection as its own consumer group. The offsets in projection_offsets are the
 * truth, Kafka's committed offsets only a hint: each write stores its rows and the next
 * offset of every (projection, cluster, topic, partition) it covers in one SQL transaction;
 * records below the stored offset are skipped (a replay after a crash changes nothing), and a
 * consumer whose reading starts past it seeks back to it (a rebuild reset it): so any number of
 * consumers, of any groups, let each record in exactly once. The cluster id is part of the key
 * because a rebuilt cluster numbers the same topic's records from 0 again.
 */
export async function startProjection(projection: AnyProjection, deps: SinkDeps): Promise<RunningProjection> {
  const { kafka, db, names, codecs } = deps;
  const log = deps.logger.child({ projection: projection.name });
  const byName = new Map(projection.topics.map((id) => [names.name(id), id]));
  const admin = kafka.admin();
  await admin.connect();
  const clusterId = await admin.clusterId();
  const dlqProducer = kafka.producer({ idempotent: true });
  await dlqProducer.connect();
  const partitions = [...(await admin.partitionCounts([...byName.keys()])).values()].reduce((n, c) => n + c, 0);
  const retry = deps.databaseRetry ?? new DatabaseRetry(log);
  // Ends the waits for the database on stop: a consumer cannot leave while a batch waits.
  const stopping = new AbortController();
  const untilStopped = <T>(work: Promise<T>): Promise<T | undefined> => work.catch((e) => (stopping.signal.aborted ? undefined : Promise.reject(e)));
  const pipeline = createWritePipeline<PartitionBatch, Outcome>({
    lingerMs: deps.lingerMs ?? 10,
    // The batches keep waiting in the pipeline, one per partition, while the database is unavailable: nothing is dropped.
    write: (group) => retry.run(`projection ${projection.name}`, () => commit(group, { db, projection, clusterId, dlqProducer, names, byName, log, onCommitted: deps.onCommitted, metrics: deps.metrics }), { signal: stopping.signal, failures: 'retry' }),
  });
  const positions = new Map<string, bigint>();
  const skippedFrom = new Map<string, bigint>();
  const groupId = deps.groupId ?? projectionGroup(names, projection);
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 100, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 });
  deps.metrics?.runtime.watchLag(consumer, { service: 'projector', group: groupId });
  let joined = false;
  let heartbeatAt = -Infinity;
  consumer.on('join', () => (joined = true));
  consumer.on('heartbeat', () => (heartbeatAt = Date.now()));
  consumer.on('crash', () => (joined = false));
  consumer.on('stop', () => (joined = false));
  let fail!: (e: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  // The driver restarts a consumer after a retriable crash by itself, never after any other.
  consumer.on('crash', ({ error, restart }) => {
    if (restart) log.warn({ err: error }, 'consumer crashed; the client restarts it');
    else fail(error);
  });
  // Batches of transaction markers only never reach eachBatch; the client still reports them.
  consumer.on('batchEnd', (end) => {
    if (end.size !== 0) return;
    const tp = `${end.topic}:${end.partition}`;
    if (!skippedFrom.has(tp)) skippedFrom.set(tp, positions.get(tp) ?? BigInt(end.firstOffset));
    positions.set(tp, BigInt(end.lastOffset) + 1n);
  });
  await consumer.connect();
  for (const topic of byName.keys()) await consumer.subscribe(topic, { fromBeginning: true });
  await consumer.run({
    autoResolve: false,
    // Every partition may have one batch waiting, so a write can take them all at once.
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const id = byName.get(batch.topic)!;
      const codec = codecs.get(id)!;
      if (batch.messages.length === 0) return;
      await codec.prepare(batch.messages.map((m) => m.value));
      const context = { now: deps.now(), maxSkewMs: deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS };
      const records = batch.messages.map((m) => decode(m, id, codec, projection, { topic: batch.topic, partition: batch.partition }, context));
      const tp = `${batch.topic}:${batch.partition}`;
      const fetchedOffset = BigInt(batch.fetchedOffset);
      const continuesFrom = positions.get(tp) === fetchedOffset ? (skippedFrom.get(tp) ?? fetchedOffset) : fetchedOffset;
      // lastOffset counts a trailing transaction marker, so the stored offset reaches the partition's end.
      const nextOffset = BigInt(batch.lastOffset) + 1n;
      // A slow database must not cost the group membership: keep beating while the write waits.
      const beating = setInterval(() => heartbeat().catch(() => undefined), 1_000);
      const outcome = await untilStopped(pipeline.submit({ topic: batch.topic, partition: batch.partition, continuesFrom, nextOffset, records })).finally(() => clearInterval(beating));
      if (!outcome) return;
      skippedFrom.delete(tp);
      if (outcome.kind === 'behind') {
        positions.delete(tp);
        const offset = await untilStopped(retry.run(`projection ${projection.name} rewind`, () => rewindTarget(admin, db, projection.name, clusterId, batch.topic, batch.partition, outcome.storedOffset), { signal: stopping.signal, failures: 'retry' }));
        if (offset === undefined) return;
        log.info({ topic: batch.topic, partition: batch.partition, offset: offset.toString() }, 'stored offset is behind the consumer: seeking back');
        consumer.seek(batch.topic, batch.partition, offset.toString());
        return;
      }
      resolveOffset(batch.lastOffset);
      positions.set(tp, nextOffset);
      await heartbeat();
    },
  });
  log.info({ topics: [...byName.keys()] }, 'projection started');
  return {
    failed,
    inFlight: () => pipeline.inFlight(),
    positions: () => positions,
    readiness: () => ({ joined, restoring: 0, heartbeatAgeMs: Date.now() - heartbeatAt }),
    async stop() {
      stopping.abort();
      await consumer.disconnect();
      pipeline.close();
      await dlqProducer.disconnect();
      await admin.disconnect();
    },
  };

  function decode(m: InMessage, id: string, codec: TopicCodec, p: AnyProjection, source: { topic: string; partition: number }, context: ParseContext): Decoded {
    const record = { offset: BigInt(m.offset), timestamp: Number(m.timestamp), source: { service: 'projector', ...source, offset: m.offset, key: m.key, value: m.value, headers: m.headers } };
    try {
      const event = p.parse(id, codec.decode(m.value), m.key?.toString() ?? '', context);
      return !p.filter || p.filter(event) ? { ...record, event } : record;
    } catch (e) {
      return { ...record, refused: `projector ${p.name}: ${(e as Error).message}` };
    }
  }
}

export const projectionGroup = (names: TopicNames, projection: AnyProjection): string => `${names.prefix}otaflow.projector.${projection.name}`;

/** Rows per INSERT: 2,000 rows of up to 30 columns stay under PostgreSQL's parameter limit. */
const WRITE_SLICE_ROWS = 2_000;

interface CommitDeps {
  readonly db: Kysely<Database>;
  readonly projection: AnyProjection;
  readonly clusterId: string;
  readonly dlqProducer: Producer;
  readonly names: TopicNames;
  readonly byName: ReadonlyMap<string, string>;
  readonly log: Logger;
  readonly onCommitted?: SinkDeps['onCommitted'];
  readonly metrics?: ProjectorMetrics | undefined;
}

/**
 * One transaction for a group of partition batches: their folded rows and their offsets. If
 * PostgreSQL refuses a value (a data or constraint error), the group is written again event by
 * event, and the events it refuses go to the dead-letter topic: the partitions move on. Any other
 * error goes to the caller, which tries the whole group again: an unavailable database is waited
 * for, never a reason to dead-letter.
 */
async function commit(group: readonly PartitionBatch[], deps: CommitDeps): Promise<Outcome[]> {
  try {
    return await commitGroup(group, deps, false);
  } catch (e) {
    if (!isRefusal(e)) throw e;
    deps.log.warn({ err: (e as Error).message }, 'the database refused a write: writing event by event to set aside what it cannot take');
    return commitGroup(group, deps, true);
  }
}

async function commitGroup(group: readonly PartitionBatch[], deps: CommitDeps, oneByOne: boolean): Promise<Outcome[]> {
  const { projection, clusterId } = deps;
  const committed: number[] = [];
  const counted = { rows: 0, records: new Map<string, number>(), refused: new Map<string, number>() };
  const endWrite = deps.metrics?.writeSeconds.startTimer({ projection: projection.name });
  const outcomes = await deps.db.transaction().execute(async (trx) => {
    const stored = await trx
      .selectFrom('projection_offsets')
      .select(['topic', 'partition', 'next_offset'])
      .where('projection', '=', projection.name)
      .where('cluster_id', '=', clusterId)
      .where((eb) => eb.or(group.map((b) => eb.and([eb('topic', '=', b.topic), eb('partition', '=', b.partition)]))))
      .forUpdate()
      .execute();
    const storedOf = new Map(stored.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    const events: Folded[] = [];
    const refused: { source: DeadLetterSource; reason: string }[] = [];
    const moved: { topic: string; partition: number; next: bigint }[] = [];
    const outcomes = group.map((b): Outcome => {
      const stored = storedOf.get(`${b.topic}:${b.partition}`);
      if (stored !== undefined && b.continuesFrom > stored) return { kind: 'behind', storedOffset: stored };
      const from = stored ?? 0n;
      if (b.nextOffset <= from) return { kind: 'committed' };
      for (const r of b.records) {
        if (r.offset < from) continue;
        counted.records.set(b.topic, (counted.records.get(b.topic) ?? 0) + 1);
        if (r.refused) refused.push({ source: r.source, reason: r.refused });
        else if (r.event !== undefined) {
          events.push({ event: r.event, source: r.source });
          if (deps.onCommitted) committed.push(r.timestamp);
        }
      }
      moved.push({ topic: b.topic, partition: b.partition, next: b.nextOffset });
      return { kind: 'committed' };
    });
    if (oneByOne) {
      const before = refused.length;
      refused.push(...(await writeEventByEvent(trx, projection, events)));
      counted.rows = events.length - (refused.length - before);
    } else {
      const changes = foldByKey(projection, events.map((f) => f.event));
      counted.rows = changes.length;
      // A statement takes at most 65,535 parameters: a big catch-up write goes in slices.
      for (let i = 0; i < changes.length; i += WRITE_SLICE_ROWS) await projection.write(trx, changes.slice(i, i + WRITE_SLICE_ROWS));
    }
    // Dead letters go out before the offset moves past them: at least once, never lost.
    for (const r of refused) counted.refused.set(r.source.topic, (counted.refused.get(r.source.topic) ?? 0) + 1);
    for (const r of refused) deps.log.warn({ topic: r.source.topic, partition: r.source.partition, offset: r.source.offset, reason: r.reason }, 'dead-lettered');
    for (const [topic, messages] of Map.groupBy(refused, (r) => deps.names.name(deps.names.spec(deps.byName.get(r.source.topic)!).deadLetter!))) {
      await deps.dlqProducer.send({ topic, messages: messages.map((r) => deadLetter(r.source, r.reason)) });
    }
    if (moved.length > 0) {
      await trx
        .insertInto('projection_offsets')
        .values(moved.map((m) => ({ projection: projection.name, cluster_id: clusterId, topic: m.topic, partition: m.partition, next_offset: m.next.toString() })))
        .onConflict((oc) => oc.columns(['projection', 'cluster_id', 'topic', 'partition']).doUpdateSet({ next_offset: (eb) => eb.ref('excluded.next_offset'), updated_at: sql`now()` }))
        .execute();
    }
    return outcomes;
  });
  if (committed.length > 0) deps.onCommitted?.(projection.name, committed);
  if (deps.metrics) countCommit(deps.metrics, projection.name, counted, endWrite);
  return outcomes;
}

/** After a write committed: its latency, rows, records in and dead letters (kind invalid: the projection or the database refused them). */
function countCommit(metrics: ProjectorMetrics, projection: string, counted: { rows: number; records: ReadonlyMap<string, number>; refused: ReadonlyMap<string, number> }, endWrite: (() => number) | undefined): void {
  endWrite?.();
  metrics.rowsWritten.inc({ projection }, counted.rows);
  for (const [topic, n] of counted.records) metrics.runtime.recordsIn.inc({ service: 'projector', topic }, n);
  for (const [topic, n] of counted.refused) metrics.runtime.deadLetters.inc({ service: 'projector', topic, kind: 'invalid' }, n);
}

/**
 * Each event in a savepoint of its own, in order. Any batch boundary must leave a projection's
 * rows the same, so one-event writes equal the folded write; returns the events PostgreSQL refused.
 */
async function writeEventByEvent(trx: Transaction<Database>, projection: AnyProjection, events: readonly Folded[]): Promise<{ source: DeadLetterSource; reason: string }[]> {
  const refused: { source: DeadLetterSource; reason: string }[] = [];
  for (const f of events) {
    await sql`savepoint event_write`.execute(trx);
    try {
      await projection.write(trx, foldByKey(projection, [f.event]));
      await sql`release savepoint event_write`.execute(trx);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      await sql`rollback to savepoint event_write`.execute(trx);
      refused.push({ source: f.source, reason: `projector ${projection.name}: the database refused it: ${(e as Error).message}` });
    }
  }
  return refused;
}

/**
 * Where a consumer goes when the stored offset is behind it: the stored offset, or the
 * partition's earliest record if retention has deleted the records from there.
 */
async function rewindTarget(admin: Admin, db: Kysely<Database>, projection: string, clusterId: string, topic: string, partition: number, stored: bigint): Promise<bigint> {
  const low = (await admin.topicOffsets(topic)).find((o) => o.partition === partition)!.low;
  if (stored >= low) return stored;
  await db
    .updateTable('projection_offsets')
    .set({ next_offset: low.toString() })
    .where('projection', '=', projection)
    .where('cluster_id', '=', clusterId)
    .where('topic', '=', topic)
    .where('partition', '=', partition)
    .where('next_offset', '<', low.toString())
    .execute();
  return low;
}
