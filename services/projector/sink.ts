import { Partitioners, type Admin, type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { sql, type Kysely } from 'kysely';
import type { TopicCodec } from '../runtime/codec.ts';
import { deadLetter } from '../runtime/dead-letter.ts';
import type { Logger } from '../runtime/logger.ts';
import type { TopicNames } from '../runtime/topics.ts';
import type { Database } from './database.ts';
import { foldByKey } from './fold.ts';
import type { AnyProjection } from './projection.ts';
import { createWritePipeline } from './write-pipeline.ts';

export interface SinkDeps {
  readonly kafka: Kafka;
  readonly db: Kysely<Database>;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly logger: Logger;
  /** How long an idle writer waits for more partitions' batches to join its transaction (default 20 ms). */
  readonly lingerMs?: number;
  /** Told the produce timestamps of the records each commit made visible (projection lag). */
  readonly onCommitted?: (projection: string, timestamps: readonly number[]) => void;
  /** Consumer group (default: the projection's own, projectionGroup). */
  readonly groupId?: string;
}

export interface RunningProjection {
  /** Batches waiting for or in a write. */
  inFlight(): number;
  /** Per "topic:partition", the offset after the last record this consumer has settled (transaction markers included). */
  positions(): ReadonlyMap<string, bigint>;
  stop(): Promise<void>;
}

interface Decoded {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly event?: unknown;
  readonly dead?: Message;
}

/** One fetched batch of one topic-partition, decoded, on its way to the database. */
interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  /** Where the fetch started: after a seek, the offset sought. */
  readonly fetchedOffset: bigint;
  readonly nextOffset: bigint;
  readonly records: readonly Decoded[];
}

/** `behind`: a rebuild reset the stored offset below this batch's fetch: consume from there instead. */
type Outcome = { readonly kind: 'committed' } | { readonly kind: 'behind'; readonly storedOffset: bigint };

/**
 * Runs one projection as its own consumer group. The offsets in projection_offsets are the
 * truth, Kafka's committed offsets only a hint: each write stores its rows and the next
 * offset of every (projection, cluster, topic, partition) it covers in one SQL transaction;
 * records below the stored offset are skipped (a replay after a crash changes nothing). A
 * stored offset marked `rewind` (a rebuild reset it) makes a consumer that fetched from past
 * it seek back; without the mark, a batch past the stored offset is normal: transaction
 * markers take offsets too. The cluster id is part
 * of the key because a rebuilt cluster numbers the same topic's records from 0 again.
 */
export async function startProjection(projection: AnyProjection, deps: SinkDeps): Promise<RunningProjection> {
  const { kafka, db, names, codecs } = deps;
  const log = deps.logger.child({ projection: projection.name });
  const byName = new Map(projection.topics.map((id) => [names.name(id), id]));
  const admin = kafka.admin();
  await admin.connect();
  const clusterId = (await admin.describeCluster()).clusterId;
  const dlqProducer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await dlqProducer.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [...byName.keys()] })).topics.reduce((n, t) => n + t.partitions.length, 0);
  const pipeline = createWritePipeline<PartitionBatch, Outcome>({
    lingerMs: deps.lingerMs ?? 20,
    write: (group) => commit(group, { db, projection, clusterId, dlqProducer, names, byName, onCommitted: deps.onCommitted }),
  });
  const positions = new Map<string, bigint>();
  const consumer = kafka.consumer({ groupId: deps.groupId ?? projectionGroup(names, projection), maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  // Batches of transaction markers only never reach eachBatch; kafkajs still reports them.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize === 0) positions.set(`${payload.topic}:${payload.partition}`, BigInt(payload.lastOffset) + 1n);
  });
  await consumer.connect();
  for (const topic of byName.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    // Every partition may have one batch waiting, so a write can take them all at once.
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const id = byName.get(batch.topic)!;
      const codec = codecs.get(id)!;
      const last = batch.messages.at(-1);
      if (!last) return;
      await codec.prepare(batch.messages.map((m) => m.value));
      const records = batch.messages.map((m) => decode(m, id, codec, projection, { topic: batch.topic, partition: batch.partition }));
      const fetchedOffset = BigInt((batch as typeof batch & { fetchedOffset: string }).fetchedOffset);
      // lastOffset() counts a trailing transaction marker, so the stored offset reaches the partition's end.
      const nextOffset = BigInt(batch.lastOffset()) + 1n;
      // A slow database must not cost the group membership: keep beating while the write waits.
      const beating = setInterval(() => heartbeat().catch(() => undefined), 1_000);
      const outcome = await pipeline.submit({ topic: batch.topic, partition: batch.partition, fetchedOffset, nextOffset, records }).finally(() => clearInterval(beating));
      if (outcome.kind === 'behind') {
        const offset = await rewindTarget(admin, db, projection.name, clusterId, batch.topic, batch.partition, outcome.storedOffset);
        log.info({ topic: batch.topic, partition: batch.partition, offset: offset.toString() }, 'stored offset is behind the consumer: seeking back');
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: offset.toString() });
        return;
      }
      resolveOffset(batch.lastOffset());
      positions.set(`${batch.topic}:${batch.partition}`, nextOffset);
      await heartbeat();
    },
  });
  log.info({ topics: [...byName.keys()] }, 'projection started');
  return {
    inFlight: () => pipeline.inFlight(),
    positions: () => positions,
    async stop() {
      await consumer.disconnect();
      pipeline.close();
      await dlqProducer.disconnect();
      await admin.disconnect();
    },
  };

  function decode(m: KafkaMessage, id: string, codec: TopicCodec, p: AnyProjection, source: { topic: string; partition: number }): Decoded {
    const offset = BigInt(m.offset);
    const timestamp = Number(m.timestamp);
    try {
      const event = p.parse(id, codec.decode(m.value), m.key?.toString() ?? '');
      return !p.filter || p.filter(event) ? { offset, timestamp, event } : { offset, timestamp };
    } catch (e) {
      const reason = `projector ${p.name}: ${(e as Error).message}`;
      log.warn({ ...source, offset: m.offset, reason }, 'dead-lettered');
      return { offset, timestamp, dead: deadLetter({ service: 'projector', ...source, offset: m.offset, key: m.key, value: m.value, headers: m.headers }, reason) };
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
  readonly onCommitted?: SinkDeps['onCommitted'];
}

/** One transaction for a group of partition batches: their folded rows and their offsets. */
async function commit(group: readonly PartitionBatch[], deps: CommitDeps): Promise<Outcome[]> {
  const { projection, clusterId } = deps;
  const committed: number[] = [];
  const outcomes = await deps.db.transaction().execute(async (trx) => {
    const stored = await trx
      .selectFrom('projection_offsets')
      .select(['topic', 'partition', 'next_offset', 'rewind'])
      .where('projection', '=', projection.name)
      .where('cluster_id', '=', clusterId)
      .where((eb) => eb.or(group.map((b) => eb.and([eb('topic', '=', b.topic), eb('partition', '=', b.partition)]))))
      .forUpdate()
      .execute();
    const storedOf = new Map(stored.map((r) => [`${r.topic}:${r.partition}`, { offset: BigInt(r.next_offset), rewind: r.rewind }]));
    const events: unknown[] = [];
    const dead = new Map<string, Message[]>();
    const moved: { topic: string; partition: number; next: bigint }[] = [];
    const outcomes = group.map((b): Outcome => {
      const stored = storedOf.get(`${b.topic}:${b.partition}`);
      const from = stored?.offset ?? 0n;
      if (stored?.rewind && b.fetchedOffset > from) return { kind: 'behind', storedOffset: from };
      if (b.nextOffset <= from && !stored?.rewind) return { kind: 'committed' };
      for (const r of b.records) {
        if (r.offset < from) continue;
        if (r.dead) {
          const dlq = deps.names.name(deps.names.spec(deps.byName.get(b.topic)!).deadLetter!);
          dead.set(dlq, [...(dead.get(dlq) ?? []), r.dead]);
        } else if (r.event !== undefined) {
          events.push(r.event);
          if (deps.onCommitted) committed.push(r.timestamp);
        }
      }
      moved.push({ topic: b.topic, partition: b.partition, next: b.nextOffset > from ? b.nextOffset : from });
      return { kind: 'committed' };
    });
    // Dead letters go out before the offset moves past them: at least once, never lost.
    for (const [topic, messages] of dead) await deps.dlqProducer.send({ topic, messages });
    const changes = foldByKey(projection, events);
    // A statement takes at most 65,535 parameters: a big catch-up write goes in slices.
    for (let i = 0; i < changes.length; i += WRITE_SLICE_ROWS) await projection.write(trx, changes.slice(i, i + WRITE_SLICE_ROWS));
    if (moved.length > 0) {
      await trx
        .insertInto('projection_offsets')
        .values(moved.map((m) => ({ projection: projection.name, cluster_id: clusterId, topic: m.topic, partition: m.partition, next_offset: m.next.toString() })))
        .onConflict((oc) => oc.columns(['projection', 'cluster_id', 'topic', 'partition']).doUpdateSet({ next_offset: (eb) => eb.ref('excluded.next_offset'), rewind: false, updated_at: sql`now()` }))
        .execute();
    }
    return outcomes;
  });
  if (committed.length > 0) deps.onCommitted?.(projection.name, committed);
  return outcomes;
}

/**
 * Where a consumer goes when the stored offset is behind it: the stored offset, or the
 * partition's earliest record if retention has deleted the records from there.
 */
async function rewindTarget(admin: Admin, db: Kysely<Database>, projection: string, clusterId: string, topic: string, partition: number, stored: bigint): Promise<bigint> {
  const low = BigInt((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)!.low);
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
