import {
  Admin as PlatformaticAdmin,
  Consumer,
  FetchIsolationLevels,
  murmur2,
  Producer as PlatformaticProducer,
  type BaseOptions,
  type GroupAssignment,
  type GroupPartitionsAssigner,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { Logger } from '../logger.ts';
import { coPartitionedPlan } from './co-partitioned-plan.ts';
import { batchOf, type FetchedPartition } from './platformatic-batches.ts';
import type { Admin, BatchContext, ConsumerEvents, ConsumerOptions, DriverOptions, GroupConsumer, KafkaClient, OutMessage, Producer, ReadToEndOptions, RunOptions, TopicReader, TransactionalProducer } from './port.ts';

const READ_COMMITTED = FetchIsolationLevels.READ_COMMITTED;
const EARLIEST = -2n;
const LATEST = -1n;
const TOPIC_RESOURCE = 2;
/** The longest a loop of this driver waits before it tries the broker again. */
const MAX_BACKOFF_MS = 1_000;
const backoff = (attempt: number) => Math.min(MAX_BACKOFF_MS, 50 * 2 ** attempt);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tp = (topic: string, partition: number) => `${topic}:${partition}`;

export function createPlatformaticClient(options: DriverOptions): KafkaClient {
  const log = options.logger?.child({ component: 'platformatic-kafka' });
  const base: BaseOptions = {
    clientId: options.clientId,
    bootstrapBrokers: [...options.brokers],
    // R-SEC-3: TLS and SASL as configured (SASL_SSL when both are set).
    ...(options.ssl && { tls: options.ssl === true ? {} : options.ssl }),
    ...(options.sasl && { sasl: { mechanism: options.sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: options.sasl.username, password: options.sasl.password } }),
    ...(options.failFast
      ? { connectTimeout: 1_000, requestTimeout: 2_000, retries: 0 }
      : // The client's own retries start soon: CONCURRENT_TRANSACTIONS, answered while the broker
        // writes the previous commit's markers, clears within milliseconds, and the client's default
        // second of delay would stall every transaction after a commit. The loops of this driver
        // retry beyond them, as no client gives up on the broker (kafkajs-driver.ts).
        { retries: 10, retryDelay: (_client: unknown, _op: string, attempt: number) => Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt) }),
  };
  const client: KafkaClient = {
    admin: () => adminOf(new PlatformaticAdmin(base)),
    consumer: (o) => new GroupMember(o, base, log),
    producer: (o = {}) => producerOf(new PlatformaticProducer({ ...base, idempotent: o.idempotent ?? false, partitioner: javaPartitioner() }), o.idempotent ?? false),
    transactionalProducer: (o) => transactionalOf(o.transactionalId, o.transactionTimeoutMs, base),
    readToEnd: (topic, o) => readToEnd(client, base, topic, o, log),
    isFenced,
  };
  return client;
}

/** Java's default partitioner for keyed records (murmur2 of the key, sign bit cleared); round-robin without a key. */
function javaPartitioner(): (message: MessageToProduce, key: Buffer | undefined) => number {
  let next = 0;
  return (_message, key) => (key ? platformaticPartitionOf(key) : next++);
}

/** What this driver hands @platformatic/kafka as a key's partition, before it takes it modulo the count. */
export function platformaticPartitionOf(key: string | Buffer, partitions?: number): number {
  const hash = murmur2(typeof key === 'string' ? Buffer.from(key) : key) & 0x7fffffff;
  return partitions === undefined ? hash : hash % partitions;
}

/** A Buffer as it is (Buffer.from would copy every record's key and value), a string encoded. */
const bytes = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v) : v);

function toProduce(topic: string, m: OutMessage): MessageToProduce {
  const headers = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) throw new Error(`header ${name}: @platformatic/kafka sends each header name once`);
    headers.set(Buffer.from(name), Buffer.from(value));
  }
  return {
    topic,
    ...(m.key != null && { key: bytes(m.key) }),
    ...(m.value != null && { value: bytes(m.value) }),
    ...(m.partition !== undefined && { partition: m.partition }),
    ...(headers.size > 0 && { headers }),
  };
}

/**
 * A plain or idempotent producer. An idempotent one that failed a send takes a new producer id
 * before its next: the sequence numbers of a send that broke off (the broker away) are out of
 * step, and the broker would refuse every later send (OUT_OF_ORDER_SEQUENCE_NUMBER).
 */
function producerOf(producer: PlatformaticProducer, idempotent: boolean): Producer {
  let failed = false;
  const send = async (messages: MessageToProduce[]) => {
    if (failed) {
      await producer.initIdempotentProducer({});
      failed = false;
    }
    try {
      return await producer.send({ messages });
    } catch (e) {
      failed = idempotent;
      throw e;
    }
  };
  return {
    connect: async () => undefined,
    send: async ({ topic, messages }) => {
      await send(messages.map((m) => toProduce(topic, m)));
    },
    sendBatch: async (records) => {
      const sent = await send(records.flatMap(({ topic, messages }) => messages.map((m) => toProduce(topic, m))));
      return (sent.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, baseOffset: o.offset }));
    },
    disconnect: () => producer.close(),
  };
}

/**
 * A transactional id of its own producer. The transaction timeout is the client's request
 * timeout, which @platformatic/kafka sends as such with InitProducerId. Offsets go with the
 * consumer's group generation and member id (KIP-447): the broker refuses them from a member that
 * is no longer in that generation.
 */
function transactionalOf(transactionalId: string, transactionTimeoutMs: number, base: BaseOptions): TransactionalProducer {
  // producerId -1 and epoch -1 ask InitProducerId for the id's current producer: the client's
  // default 0/0 reads as an epoch bump of producer 0, which the broker refuses (PRODUCER_FENCED)
  // for any transactional id used before.
  const producer = new PlatformaticProducer({ ...base, timeout: transactionTimeoutMs, transactionalId, idempotent: true, producerId: -1n, producerEpoch: -1, partitioner: javaPartitioner() });
  let failed = false;
  /**
   * After a failed transaction the client keeps its sequence numbers, which a send that failed
   * part way (the broker away) leaves out of step: every later send would be refused
   * (OUT_OF_ORDER_SEQUENCE_NUMBER). As the Java client does (KIP-360), the producer bumps its own
   * epoch: InitProducerId with its current id and epoch aborts what it left open and starts its
   * sequences again, and fails PRODUCER_FENCED if a newer producer of the id took over meanwhile,
   * so a zombie never fences the new owner. InitProducerId is sent for the open transaction's id.
   */
  const bumpEpoch = async () => {
    const tx = await producer.beginTransaction();
    try {
      await producer.initIdempotentProducer({ producerId: producer.producerId ?? -1n, producerEpoch: producer.producerEpoch ?? -1 });
      failed = false;
    } finally {
      await tx.cancel();
    }
  };
  return {
    fence: async () => {
      // InitProducerId bumps the epoch of the id, which aborts what a former producer left open;
      // no partition is added, so nothing is ended on the broker.
      await (await producer.beginTransaction()).cancel();
    },
    inTransaction: async (work) => {
      if (failed) await bumpEpoch();
      const tx = await producer.beginTransaction();
      try {
        await work({
          send: async ({ topic, messages }) => {
            await tx.send({ messages: messages.map((m) => toProduce(topic, m)) });
          },
          sendOffsets: async (consumer, offsets) => {
            if (!(consumer instanceof GroupMember)) throw new Error('sendOffsets: the consumer is not one of this driver');
            await tx.addConsumer(consumer.member);
            // One at a time: @platformatic/kafka merges concurrent offset commits of a producer into one request.
            for (const o of offsets) await tx.addOffset(consumer.offsetMessage(o.topic, o.partition, BigInt(o.offset)) as never);
          },
        });
        await tx.commit();
      } catch (e) {
        if (!tx.completed) await tx.abort().catch(() => tx.cancel());
        failed = !isFenced(e);
        throw e;
      }
    },
    disconnect: () => producer.close(),
  };
}

/** A newer producer of the id fenced this one: the broker's codes, found in the errors the client wraps. */
function isFenced(e: unknown): boolean {
  const error = e as { apiId?: unknown; errors?: unknown; cause?: unknown } | undefined;
  if (!error || typeof error !== 'object') return false;
  if (error.apiId === 'PRODUCER_FENCED' || error.apiId === 'INVALID_PRODUCER_EPOCH') return true;
  return (Array.isArray(error.errors) && error.errors.some(isFenced)) || isFenced(error.cause);
}

/** The co-partitioned plan (co-partitioned-plan.ts) as a @platformatic/kafka assigner. */
const coPartitionedAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const counts = new Map([...topics].map((topic) => [topic, metadata.topics.get(topic)?.partitionsCount ?? 0]));
  return [...coPartitionedPlan([...members.keys()], counts)].map(([memberId, plan]) => ({
    memberId,
    assignments: new Map(Object.entries(plan).map(([topic, partitions]) => [topic, { topic, partitions }])),
  }));
};

type FetchedBatch = NonNullable<ReturnType<typeof batchOf>>;

/** Fetches batches of partitions at given offsets, read_committed, one request per leader. */
class Fetcher {
  readonly client: Consumer;

  constructor(client: Consumer) {
    this.client = client;
  }

  /** The batch of each partition that got one, and the partitions whose offset left the log. */
  async fetch(wanted: ReadonlyMap<string, { topic: string; partition: number; offset: bigint }>, maxWaitTimeMs: number): Promise<{ batches: FetchedBatch[]; outOfRange: string[] }> {
    const metadata = await this.client.metadata({ topics: [...new Set([...wanted.values()].map((w) => w.topic))] });
    const byLeader = new Map<number, Map<string, { topicId: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number; lastFetchedEpoch: number }[] }>>();
    const topicOf = new Map<string, string>();
    for (const w of wanted.values()) {
      const topic = metadata.topics.get(w.topic)!;
      topicOf.set(topic.id, w.topic);
      const leader = topic.partitions[w.partition]!.leader;
      const topics = byLeader.get(leader) ?? new Map();
      byLeader.set(leader, topics);
      const entry = topics.get(topic.id) ?? { topicId: topic.id, partitions: [] };
      topics.set(topic.id, entry);
      entry.partitions.push({ partition: w.partition, fetchOffset: w.offset, partitionMaxBytes: 1_048_576, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
    }
    const batches: FetchedBatch[] = [];
    const outOfRange: string[] = [];
    await Promise.all(
      [...byLeader].map(async ([node, topics]) => {
        let response;
        try {
          response = await this.client.fetch({ node, topics: [...topics.values()], maxWaitTime: maxWaitTimeMs, minBytes: 1, maxBytes: 10_485_760, isolationLevel: READ_COMMITTED });
        } catch (e) {
          const partial = (e as { response?: typeof response }).response;
          if (!partial) throw e;
          response = partial;
        }
        for (const t of response.responses) {
          const topic = topicOf.get(t.topicId) ?? t.topicId;
          for (const p of t.partitions) {
            const asked = wanted.get(tp(topic, p.partitionIndex));
            if (!asked) continue;
            if (p.errorCode === 1) outOfRange.push(tp(topic, p.partitionIndex));
            else if (p.errorCode !== 0) this.client.clearMetadata();
            else {
              const fetched = batchOf(topic, p.partitionIndex, asked.offset, p as FetchedPartition);
              if (fetched) batches.push(fetched);
            }
          }
        }
      }),
    );
    return { batches, outOfRange };
  }

  /** Partition → offset, the earliest or latest (read_committed: the last stable offset). */
  async offsets(topic: string, partitions: readonly number[], at: bigint): Promise<Map<number, bigint>> {
    const listed = await this.client.listOffsets({ topics: [topic], partitions: { [topic]: [...partitions] }, timestamp: at, isolationLevel: READ_COMMITTED });
    const offsets = listed.get(topic) ?? [];
    return new Map(partitions.map((p) => [p, offsets[p]!]));
  }
}

/**
 * A group member with a fetch loop of its own: @platformatic/kafka's message stream hands out
 * records one by one, pauses as a whole and keeps no fetch boundaries, while the port consumes by
 * batch of one partition, pauses and seeks per partition, and reports fetches of transaction
 * markers only. The member client joins the group, heartbeats, rejoins and commits; a second client
 * fetches, so that a JoinGroup waiting for the rebalance never holds up a fetch. A batch whose
 * handler throws is fetched again (after a backoff), as with kafkajs.
 */
class GroupMember implements GroupConsumer {
  readonly groupId: string;
  readonly member: Consumer;
  readonly #fetcher: Fetcher;
  readonly #admin: PlatformaticAdmin;
  readonly #options: ConsumerOptions;
  readonly #log: Logger | undefined;
  readonly #topics = new Map<string, boolean>();
  readonly #listeners: { [E in keyof ConsumerEvents]: ConsumerEvents[E][] } = { join: [], heartbeat: [], crash: [], stop: [], batchEnd: [] };
  #assignment: GroupAssignment[] = [];
  /** Bumped by each join: positions are read again for it. */
  #generation = 0;
  #positionsOf = -1;
  readonly #positions = new Map<string, bigint>();
  /** Bumped per partition by a seek: batches in hand become stale, as with a join. */
  readonly #epochs = new Map<string, number>();
  readonly #paused = new Set<string>();
  readonly #retryAt = new Map<string, { at: number; failures: number }>();
  /** The group generation and member id each partition's batch in hand was fetched under (KIP-447). */
  readonly #fetchedUnder = new Map<string, { generationId: number; memberId: string }>();
  #running = false;
  #outOfGroup = false;
  #loop: Promise<void> | undefined;

  constructor(options: ConsumerOptions, base: BaseOptions, log: Logger | undefined) {
    this.groupId = options.groupId;
    this.#options = options;
    this.#log = log;
    const group = {
      groupId: options.groupId,
      isolationLevel: READ_COMMITTED,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs ?? 30_000),
      ...(options.coPartitioned && { partitionAssigner: coPartitionedAssigner, protocols: [{ name: 'OtaflowCoPartitioned', version: 1 }] }),
    };
    this.member = new Consumer({ ...base, ...group });
    this.#fetcher = new Fetcher(new Consumer({ ...base, groupId: options.groupId, isolationLevel: READ_COMMITTED }));
    this.#admin = new PlatformaticAdmin(base);
    this.member.on('consumer:group:join', ({ assignments }) => {
      this.#assignment = assignments ?? [];
      this.#generation++;
      const assignment = Object.fromEntries(this.#assignment.map((a) => [a.topic, [...a.partitions]]));
      for (const l of this.#listeners.join) l({ assignment });
    });
    this.member.on('consumer:heartbeat:end', () => {
      for (const l of this.#listeners.heartbeat) l();
    });
    // @platformatic/kafka rejoins by itself when a heartbeat says so; a rejoin that failed for good
    // leaves the member out of the group, and the loop joins it again.
    this.member.on('error', (error: Error) => {
      this.#outOfGroup = true;
      this.#crashed(error);
    });
  }

  connect = async (): Promise<void> => undefined;

  subscribe = async (topic: string, options: { fromBeginning?: boolean } = {}): Promise<void> => {
    this.#topics.set(topic, options.fromBeginning ?? false);
  };

  run = async (options: RunOptions): Promise<void> => {
    for (const topic of this.#topics.keys()) {
      this.member.topics.track(topic);
      this.#fetcher.client.topics.track(topic);
    }
    await this.#join();
    this.#running = true;
    this.#loop = this.#consume(options);
  };

  pause = (topic: string, partitions: readonly number[]): void => {
    for (const p of partitions) this.#paused.add(tp(topic, p));
  };

  seek = (topic: string, partition: number, offset: string): void => {
    const key = tp(topic, partition);
    this.#positions.set(key, BigInt(offset));
    this.#epochs.set(key, (this.#epochs.get(key) ?? 0) + 1);
  };

  on = <E extends keyof ConsumerEvents>(event: E, listener: ConsumerEvents[E]): void => {
    this.#listeners[event].push(listener);
  };

  disconnect = async (): Promise<void> => {
    this.#running = false;
    await this.#loop;
    await this.member.close().catch(() => this.member.close(true));
    await this.#fetcher.client.close(true);
    await this.#admin.close();
    for (const l of this.#listeners.stop) l();
  };

  /** What @platformatic/kafka's Transaction.addOffset reads of a consumed message, for the offset to commit. */
  offsetMessage(topic: string, partition: number, next: bigint): object {
    const under = this.#fetchedUnder.get(tp(topic, partition)) ?? { generationId: this.member.generationId, memberId: this.member.memberId ?? '' };
    return { topic, partition, offset: next - 1n, metadata: { consumer: { groupId: this.groupId, coordinatorId: this.member.coordinatorId, ...under } } };
  }

  /** Changes with each join and each seek of the partition. */
  #epoch(key: string): string {
    return `${this.#generation}/${this.#epochs.get(key) ?? 0}`;
  }

  /** Joins with the group options the member client was made with. */
  async #join(): Promise<void> {
    await this.member.joinGroup({});
  }

  #crashed(error: Error): void {
    this.#log?.warn({ err: error, groupId: this.groupId }, 'consumer crashed; the driver starts it again');
    for (const l of this.#listeners.crash) l({ error, restart: true });
  }

  async #consume(options: RunOptions): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        if (this.#outOfGroup) {
          await this.#join();
          this.#outOfGroup = false;
        }
        if (!this.member.isActive()) {
          // Mid-rejoin: no fetch belongs to a generation then.
          await sleep(50);
          continue;
        }
        if (this.#positionsOf !== this.#generation) await this.#readPositions();
        await this.#round(options);
        failures = 0;
      } catch (e) {
        if (!this.#running) break;
        // Out of the group, the member crashed; a failed fetch or commit is only tried again.
        if (this.#outOfGroup) this.#crashed(e as Error);
        else this.#log?.warn({ err: e, groupId: this.groupId }, 'fetching failed; trying again');
        await sleep(backoff(++failures));
      }
    }
  }

  /** The committed offset of each assigned partition, or, where none, its start or end. */
  async #readPositions(): Promise<void> {
    const generation = this.#generation;
    const assignment = this.#assignment;
    // Stable offsets only (the member client's own read is not): while a former owner's transaction
    // with offsets is open, the broker answers UNSTABLE_OFFSET_COMMIT and the admin client retries.
    const [group] = assignment.length > 0 ? await this.#admin.listConsumerGroupOffsets({ requireStable: true, groups: [{ groupId: this.groupId, topics: assignment.map((a) => ({ name: a.topic, partitionIndexes: a.partitions })) }] }) : [];
    const committed = new Map((group?.topics ?? []).flatMap((t) => t.partitions.map((p) => [tp(t.name, p.partitionIndex), p.committedOffset] as const)));
    this.#positions.clear();
    for (const { topic, partitions } of assignment) {
      const missing = partitions.filter((p) => !((committed.get(tp(topic, p)) ?? -1n) >= 0n));
      const fallback = missing.length > 0 ? await this.#fetcher.offsets(topic, missing, this.#topics.get(topic) ? EARLIEST : LATEST) : new Map<number, bigint>();
      for (const p of partitions) this.#positions.set(tp(topic, p), fallback.get(p) ?? committed.get(tp(topic, p))!);
    }
    if (generation === this.#generation) this.#positionsOf = generation;
  }

  async #round(options: RunOptions): Promise<void> {
    const now = Date.now();
    const wanted = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const { topic, partitions } of this.#assignment) {
      for (const partition of partitions) {
        const key = tp(topic, partition);
        const offset = this.#positions.get(key);
        if (offset === undefined || this.#paused.has(key) || (this.#retryAt.get(key)?.at ?? 0) > now) continue;
        wanted.set(key, { topic, partition, offset });
      }
    }
    const maxWait = this.#options.maxWaitTimeMs ?? 500;
    if (wanted.size === 0) return sleep(Math.min(maxWait, 50));
    const generation = { generationId: this.member.generationId, memberId: this.member.memberId ?? '' };
    const epochs = new Map([...wanted.keys()].map((key) => [key, this.#epoch(key)]));
    const { batches, outOfRange } = await this.#fetcher.fetch(wanted, maxWait);
    for (const key of outOfRange) {
      const { topic, partition } = wanted.get(key)!;
      const reset = await this.#fetcher.offsets(topic, [partition], this.#topics.get(topic) ? EARLIEST : LATEST);
      if (this.#epoch(key) === epochs.get(key)) this.#positions.set(key, reset.get(partition)!);
    }
    const fresh = batches.filter((b) => {
      const key = tp(b.batch.topic, b.batch.partition);
      return this.#epoch(key) === epochs.get(key) && !this.#paused.has(key);
    });
    const queue = [...fresh];
    const worker = async () => {
      for (let next = queue.shift(); next && this.#running; next = queue.shift()) await this.#handle(next, options, generation, epochs.get(tp(next.batch.topic, next.batch.partition))!);
    };
    await Promise.all(Array.from({ length: Math.max(1, options.partitionsConsumedConcurrently ?? 1) }, worker));
  }

  async #handle({ batch, end }: FetchedBatch, options: RunOptions, generation: { generationId: number; memberId: string }, epoch: string): Promise<void> {
    const key = tp(batch.topic, batch.partition);
    const stale = () => this.#epoch(key) !== epoch;
    let resolved: bigint | undefined;
    let failed = false;
    if (batch.messages.length === 0) resolved = BigInt(batch.lastOffset);
    else {
      this.#fetchedUnder.set(key, generation);
      const context: BatchContext = {
        batch,
        resolveOffset: (offset) => {
          if (resolved === undefined || BigInt(offset) > resolved) resolved = BigInt(offset);
        },
        // The member client heartbeats on a timer of its own, however long a batch takes.
        heartbeat: async () => undefined,
        isRunning: () => this.#running,
        isStale: stale,
      };
      try {
        await options.eachBatch(context);
        if (options.autoResolve ?? true) resolved = BigInt(batch.lastOffset);
        this.#retryAt.delete(key);
      } catch (e) {
        // What the handler resolved stays resolved; the rest is fetched again after a backoff.
        failed = true;
        const failures = (this.#retryAt.get(key)?.failures ?? 0) + 1;
        this.#retryAt.set(key, { at: Date.now() + backoff(failures), failures });
        this.#log?.warn({ err: e, topic: batch.topic, partition: batch.partition, offset: batch.fetchedOffset }, 'batch failed; it is fetched again');
      } finally {
        this.#fetchedUnder.delete(key);
      }
    }
    if (stale() || resolved === undefined) return;
    this.#positions.set(key, resolved + 1n);
    if (options.autoCommit ?? true) await this.member.commit({ offsets: [{ topic: batch.topic, partition: batch.partition, offset: resolved + 1n, leaderEpoch: -1 }] });
    if (!failed) for (const l of this.#listeners.batchEnd) l(end);
  }
}

/**
 * Reads partitions by hand (no group: @platformatic/kafka fetches any partition it is asked for)
 * from their start, up to the last stable offset each had at the call, and on if it follows.
 */
async function readToEnd(client: KafkaClient, base: BaseOptions, topic: string, options: ReadToEndOptions, log: Logger | undefined): Promise<TopicReader> {
  // A consumer client is made with a group id; this one never joins its group.
  const fetcher = new Fetcher(new Consumer({ ...base, groupId: `${options.groupPrefix}reader`, isolationLevel: READ_COMMITTED }));
  fetcher.client.topics.track(topic);
  const admin = client.admin();
  const wanted = options.partitions && new Set(options.partitions);
  const positions = new Map<number, bigint>();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.topicOffsets(topic)) {
      if (wanted && !wanted.has(o.partition)) continue;
      positions.set(o.partition, o.low);
      if (o.high > o.low) ends.set(o.partition, o.high);
    }
  } catch (e) {
    await fetcher.client.close(true);
    throw e;
  } finally {
    await admin.disconnect();
  }
  let running = true;
  const pending = new Set(ends.keys());
  const step = async () => {
    const asked = new Map([...positions].filter(([p]) => options.follow || pending.has(p)).map(([partition, offset]) => [tp(topic, partition), { topic, partition, offset }]));
    if (asked.size === 0) return;
    const { batches, outOfRange } = await fetcher.fetch(asked, 100);
    if (outOfRange.length > 0) {
      const starts = await fetcher.offsets(topic, [...positions.keys()], EARLIEST);
      for (const key of outOfRange) positions.set(asked.get(key)!.partition, starts.get(asked.get(key)!.partition)!);
    }
    for (const b of batches) {
      const { batch } = b;
      if (batch.messages.length > 0) await options.eachBatch(batch);
      positions.set(batch.partition, BigInt(batch.lastOffset) + 1n);
      if (BigInt(batch.lastOffset) >= (ends.get(batch.partition) ?? 0n) - 1n) pending.delete(batch.partition);
    }
  };
  const stop = async () => {
    running = false;
    await following;
    await fetcher.client.close(true);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let following: Promise<void> | undefined;
  try {
    for (let failures = 0; pending.size > 0; ) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} timed out after ${options.timeoutMs ?? 120_000} ms, partitions ${[...pending]} behind`);
      try {
        await step();
        failures = 0;
      } catch (e) {
        if (++failures > 20) throw e;
        await sleep(backoff(failures));
      }
    }
  } catch (e) {
    await fetcher.client.close(true);
    throw e;
  }
  if (!options.follow) {
    await fetcher.client.close(true);
    return { stop: async () => undefined };
  }
  following = (async () => {
    for (let failures = 0; running; ) {
      try {
        await step();
        failures = 0;
      } catch (e) {
        log?.warn({ err: e, topic }, 'reading a followed topic failed; retrying');
        await sleep(backoff(++failures));
      }
    }
  })();
  return { stop };
}

function adminOf(admin: PlatformaticAdmin): Admin {
  const partitionCounts = async (topics: readonly string[]) => new Map([...(await admin.metadata({ topics: [...topics] })).topics].filter(([name]) => topics.includes(name)).map(([name, t]) => [name, t.partitionsCount]));
  // Read uncommitted, as kafkajs' admin: the high watermark, not the last stable offset.
  const listOffsets = async (topic: string, timestamp: bigint) => {
    const count = (await partitionCounts([topic])).get(topic) ?? 0;
    const listed = await admin.listOffsets({ isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED, topics: [{ name: topic, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })) }] });
    return new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const)));
  };
  return {
    // As kafkajs' connect, it fails while no broker answers (the probes of a broker rely on it).
    connect: async () => {
      await admin.metadata({ topics: [] });
    },
    disconnect: () => admin.close(),
    clusterId: async () => (await admin.metadata({ topics: [] })).id,
    listTopics: () => admin.listTopics(),
    createTopics: async (topics) => {
      for (const t of topics) {
        await admin
          .createTopics({ topics: [t.topic], partitions: t.numPartitions, replicas: -1, configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })
          .catch((e: unknown) => {
            // As kafkajs: creating a topic that exists is no error.
            if (!hasApiId(e, 'TOPIC_ALREADY_EXISTS')) throw e;
          });
      }
    },
    deleteTopics: (topics) => admin.deleteTopics({ topics: [...topics] }),
    partitionCounts,
    topicOffsets: async (topic) => {
      const [low, high] = [await listOffsets(topic, EARLIEST), await listOffsets(topic, LATEST)];
      return [...high].map(([partition, h]) => ({ partition, low: low.get(partition)!, high: h })).sort((a, b) => a.partition - b.partition);
    },
    topicOffsetsAt: async (topic, timestamp) => {
      const [at, high] = [await listOffsets(topic, BigInt(timestamp)), await listOffsets(topic, LATEST)];
      return [...high].map(([partition, h]) => ({ partition, offset: (at.get(partition) ?? -1n) >= 0n ? at.get(partition)! : h })).sort((a, b) => a.partition - b.partition);
    },
    topicConfigs: async (topics) => {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((t) => ({ resourceType: TOPIC_RESOURCE, resourceName: t.topic, configurationKeys: [...t.names] })) });
      return new Map(described.map((r) => [r.resourceName, new Map(r.configs.map((c) => [c.name, c.value ?? '']))]));
    },
    replaceTopicConfigs: (topics) => admin.alterConfigs({ resources: topics.map((t) => ({ resourceType: TOPIC_RESOURCE, resourceName: t.topic, configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })) }),
    groupOffsets: async (groupId, topics) => {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [topics ? { groupId, topics: await Promise.all(topics.map(async (name) => ({ name, partitionIndexes: Array.from({ length: (await partitionCounts([name])).get(name) ?? 0 }, (_, i) => i) }))) } : groupId] });
      return (group?.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })));
    },
    setGroupOffsets: (groupId, topic, offsets) => admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionOffsets: offsets.map((o) => ({ partition: o.partition, offset: o.offset })) }] }),
    listGroups: async () => [...(await admin.listGroups()).keys()],
    describeGroups: async (groupIds) =>
      [...(await admin.describeGroups({ groups: [...groupIds] })).values()].map((g) => ({
        groupId: g.id,
        members: [...g.members.values()].map((m) => ({ memberId: m.id, assignment: Object.fromEntries([...(m.assignments ?? new Map()).values()].map((a) => [a.topic, a.partitions])) })),
      })),
    deleteGroups: (groupIds) => admin.deleteGroups({ groups: [...groupIds] }),
  };
}

function hasApiId(e: unknown, apiId: string): boolean {
  const error = e as { apiId?: string; errors?: unknown[]; cause?: unknown } | undefined;
  if (!error || typeof error !== 'object') return false;
  return error.apiId === apiId || (error.errors ?? []).some((x) => hasApiId(x, apiId)) || hasApiId(error.cause, apiId);
}
