import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, Partitioners, type Admin as KafkajsAdmin, type Consumer, type LogEntry, type PartitionAssigner, type Producer as KafkajsProducer, type SASLOptions } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { coPartitionedPlan } from './co-partitioned-plan.ts';
import type { Admin, ConsumerEvents, DriverOptions, GroupConsumer, KafkaClient, Producer, ReadToEndOptions, TopicReader, TransactionalProducer } from './port.ts';

export function createKafkajsClient(options: DriverOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    // R-SEC-3: TLS and SASL as configured; kafkajs speaks SASL_SSL when both are set. It keeps
    // its authenticator on the SASL options it is given: each client gets a copy, the config stays as parsed.
    ssl: options.ssl,
    sasl: options.sasl && ({ ...options.sasl } as SASLOptions),
    ...(options.failFast
      ? { connectionTimeout: 1_000, requestTimeout: 2_000, retry: { retries: 0 } }
      : // Every option of the backoff is set: kafkajs' defaults depend on NODE_ENV (under "test" they
        // are another, faster set), and their 30 s cap let a client that lost the broker wait up to
        // 30 s after it was back, and a crashed consumer as long again before its restart (kafkajs
        // restarts it after the last backoff of the retries it exhausted). A 1 s cap bounds both.
        // No client gives up on the broker (as Kafka's Java clients do not): a consumer whose
        // connection retries run out crashes and rejoins its group as a new member, which waits out
        // the session of its former self before it gets partitions again.
        { retry: { initialRetryTime: 100, maxRetryTime: 1_000, multiplier: 2, factor: 0.2, retries: Number.MAX_SAFE_INTEGER } }),
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => logEntries(options.logger?.child({ component: 'kafkajs' })),
  });
  const client: KafkaClient = {
    admin: () => adminOf(kafka.admin()),
    consumer: (o) =>
      consumerOf(
        kafka.consumer({
          groupId: o.groupId,
          ...(o.coPartitioned && { partitionAssigners: [coPartitionedAssigner] }),
          ...(o.sessionTimeoutMs !== undefined && { sessionTimeout: o.sessionTimeoutMs }),
          ...(o.heartbeatIntervalMs !== undefined && { heartbeatInterval: o.heartbeatIntervalMs }),
          ...(o.maxWaitTimeMs !== undefined && { maxWaitTimeInMs: o.maxWaitTimeMs }),
        }),
        o.groupId,
      ),
    producer: (o = {}) => producerOf(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...(o.idempotent && { idempotent: true }) })),
    transactionalProducer: (o) =>
      transactionalOf(
        kafka.producer({
          transactionalId: o.transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: o.transactionTimeoutMs,
          // CONCURRENT_TRANSACTIONS right after a commit clears within milliseconds; retry soon.
          retry: { initialRetryTime: 5, retries: 10 },
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      ),
    readToEnd: (topic, o) => readToEnd(client, topic, o),
    isFenced,
  };
  return client;
}

function logEntries(log: Logger | undefined): (entry: LogEntry) => void {
  return (entry) => {
    if (!log) return;
    const { message, ...extra } = entry.log;
    // kafkajs logs each retry of CONCURRENT_TRANSACTIONS (kafkajs#1315) as an error; it is
    // the broker still finishing the previous commit, and the retry succeeds.
    if (String(extra.error ?? message).includes('concurrent operation on the same transaction')) log.debug(extra, message);
    // Our producers are transactional: a send that gives up aborts its transaction, and the
    // batch is processed again, so bounded retries cannot commit anything twice.
    else if (message.startsWith('Limiting retries for the idempotent producer')) log.debug(extra, message);
    // A new topic's partitions answer NOT_LEADER until the broker has loaded them; every client
    // refreshes its metadata and retries (provisioning waits for them, provision.ts).
    else if (String(extra.error).startsWith('This server is not the leader for that topic-partition')) log.debug(extra, message);
    else if (entry.level <= logLevel.ERROR) log.error(extra, message);
    else log.warn(extra, message);
  };
}

/** The co-partitioned plan (co-partitioned-plan.ts) as a kafkajs assigner. */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'OtaflowCoPartitioned',
  version: 1,
  async assign({ members, topics }) {
    const plan = coPartitionedPlan(
      members.map((m) => m.memberId),
      new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length])),
    );
    return [...plan].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'OtaflowCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});

/** The partition kafkajs' default (Java-compatible murmur2) partitioner gives a key among `partitions`. */
export function kafkajsPartitionOf(key: string | Buffer, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata, message: { key, value: null } });
}

function adminOf(admin: KafkajsAdmin): Admin {
  return {
    connect: () => admin.connect(),
    disconnect: () => admin.disconnect(),
    clusterId: async () => (await admin.describeCluster()).clusterId,
    listTopics: () => admin.listTopics(),
    createTopics: async (topics) => {
      await admin.createTopics({
        waitForLeaders: false,
        topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor: -1, configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })),
      });
    },
    deleteTopics: (topics) => admin.deleteTopics({ topics: [...topics] }),
    partitionCounts: async (topics) => new Map((await admin.fetchTopicMetadata({ topics: [...topics] })).topics.map((t) => [t.name, t.partitions.length])),
    topicOffsets: async (topic) => (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })),
    topicOffsetsAt: async (topic, timestamp) => (await admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).map((o) => ({ partition: o.partition, offset: BigInt(o.offset) })),
    topicConfigs: async (topics) => {
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((t) => ({ type: 2, name: t.topic, configNames: [...t.names] })) });
      return new Map(configs.resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]));
    },
    replaceTopicConfigs: async (topics) => {
      await admin.alterConfigs({ validateOnly: false, resources: topics.map((t) => ({ type: 2, name: t.topic, configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })) });
    },
    groupOffsets: async (groupId, topics) => {
      const found = await (topics ? admin.fetchOffsets({ groupId, topics: [...topics] }) : admin.fetchOffsets({ groupId }));
      return found.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset) })));
    },
    setGroupOffsets: (groupId, topic, offsets) => admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.offset.toString() })) }),
    listGroups: async () => (await admin.listGroups()).groups.map((g) => g.groupId),
    describeGroups: async (groupIds) =>
      (await admin.describeGroups([...groupIds])).groups.map((g) => ({
        groupId: g.groupId,
        members: g.members.map((m) => ({ memberId: m.memberId, assignment: (m.memberAssignment.length > 0 && AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment) || {} })),
      })),
    deleteGroups: async (groupIds) => {
      await admin.deleteGroups([...groupIds]);
    },
  };
}

function consumerOf(consumer: Consumer, groupId: string): GroupConsumer {
  const { events } = consumer;
  const listen: { [E in keyof ConsumerEvents]: (listener: ConsumerEvents[E]) => void } = {
    join: (l) => consumer.on(events.GROUP_JOIN, ({ payload }) => l({ assignment: payload.memberAssignment })),
    heartbeat: (l) => consumer.on(events.HEARTBEAT, () => l()),
    crash: (l) => consumer.on(events.CRASH, ({ payload }) => l({ error: payload.error, restart: payload.restart })),
    stop: (l) => {
      consumer.on(events.STOP, () => l());
      consumer.on(events.DISCONNECT, () => l());
    },
    batchEnd: (l) =>
      consumer.on(events.END_BATCH_PROCESS, ({ payload }) =>
        l({ topic: payload.topic, partition: payload.partition, size: payload.batchSize, firstOffset: payload.firstOffset, lastOffset: payload.lastOffset, offsetLag: payload.offsetLag }),
      ),
  };
  return {
    groupId,
    connect: () => consumer.connect(),
    subscribe: (topic, o = {}) => consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? false }),
    run: (o) =>
      consumer.run({
        autoCommit: o.autoCommit ?? true,
        eachBatchAutoResolve: o.autoResolve ?? true,
        partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 1,
        eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
          o.eachBatch({
            // kafkajs' batch type leaves out the offset its fetch started from, which it holds.
            batch: { topic: batch.topic, partition: batch.partition, messages: batch.messages, fetchedOffset: (batch as typeof batch & { fetchedOffset: string }).fetchedOffset, lastOffset: batch.lastOffset() },
            resolveOffset,
            heartbeat,
            isRunning,
            isStale,
          }),
      }),
    pause: (topic, partitions) => consumer.pause([{ topic, partitions: [...partitions] }]),
    seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset }),
    on: (event, listener) => (listen[event] as (l: typeof listener) => void)(listener),
    disconnect: () => consumer.disconnect(),
  };
}

function producerOf(producer: KafkajsProducer): Producer {
  return {
    connect: () => producer.connect(),
    send: async ({ topic, messages }) => {
      await producer.send({ topic, messages: messages as never });
    },
    sendBatch: async (records) => {
      const sent = await producer.sendBatch({ topicMessages: records.map(({ topic, messages }) => ({ topic, messages: messages as never })) });
      return sent.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: BigInt(m.baseOffset!) }));
    },
    disconnect: () => producer.disconnect(),
  };
}

const CONCURRENT_ATTEMPTS = 8;

/**
 * kafkajs has no KIP-447: a transaction's offsets carry the group id only, so a task's
 * transactional id (one per partition) is what fences a former owner. A broker still finishing
 * the previous commit of the same transactional id answers CONCURRENT_TRANSACTIONS
 * (kafkajs#430, #1315): that is retried with backoff. Anything else aborts and is rethrown.
 */
function transactionalOf(producer: KafkajsProducer): TransactionalProducer {
  return {
    fence: async () => {
      await producer.connect();
      await (await producer.transaction()).abort();
    },
    inTransaction: async (work) => {
      for (let attempt = 1; ; attempt++) {
        const tx = await producer.transaction();
        try {
          await work({
            send: async ({ topic, messages }) => {
              await tx.send({ topic, messages: messages as never });
            },
            sendOffsets: (consumer, offsets) =>
              tx.sendOffsets({ consumerGroupId: consumer.groupId, topics: [...Map.groupBy(offsets, (o) => o.topic)].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => ({ partition: p.partition, offset: p.offset })) })) }),
          });
          await tx.commit();
          return;
        } catch (e) {
          if (tx.isActive()) await tx.abort().catch(() => undefined);
          if (!isConcurrentTransactions(e) || attempt >= CONCURRENT_ATTEMPTS) throw e;
          await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        }
      }
    },
    disconnect: () => producer.disconnect(),
  };
}

function isConcurrentTransactions(e: unknown): boolean {
  for (let cur = e as { type?: string; originalError?: unknown; cause?: unknown } | undefined; cur; ) {
    if (cur.type === 'CONCURRENT_TRANSACTIONS') return true;
    cur = (cur.originalError ?? cur.cause) as typeof cur;
  }
  return false;
}

function isFenced(e: unknown): boolean {
  const text = String((e as Error)?.message ?? e);
  const type = (e as { type?: string })?.type ?? '';
  return /fenced|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/i.test(`${type} ${text}`);
}

/**
 * kafkajs has no manual partition assignment: a throwaway consumer group (`groupPrefix` and a
 * uuid, deleted after) reads the topic, and pauses the partitions not asked for and, unless it
 * follows, those that reached their end. The ends are the high watermarks at the call.
 */
async function readToEnd(client: KafkaClient, topic: string, options: ReadToEndOptions): Promise<TopicReader> {
  const admin = client.admin();
  await admin.connect();
  const wanted = options.partitions && new Set(options.partitions);
  const ends = new Map<number, bigint>();
  const offsets = await admin.topicOffsets(topic).catch(async (e: unknown) => {
    await admin.disconnect();
    throw e;
  });
  for (const o of offsets) if ((!wanted || wanted.has(o.partition)) && o.high > o.low) ends.set(o.partition, o.high);
  if (ends.size === 0 && !options.follow) {
    await admin.disconnect();
    return { stop: async () => undefined };
  }
  const groupId = `${options.groupPrefix}${randomUUID()}`;
  const consumer = client.consumer({ groupId, maxWaitTimeMs: 100, sessionTimeoutMs: 30_000 });
  const stop = async () => {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  };
  const pending = new Set(ends.keys());
  let caughtUp!: () => void;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  if (pending.size === 0) caughtUp();
  const reached = (partition: number) => {
    if (!pending.delete(partition)) return;
    if (!options.follow) consumer.pause(topic, [partition]);
    if (pending.size === 0) caughtUp();
  };
  // Batches of control records only (a commit marker) reach no eachBatch, but report their last offset here.
  consumer.on('batchEnd', ({ partition, lastOffset }) => {
    const end = ends.get(partition);
    if (end !== undefined && BigInt(lastOffset) >= end - 1n) reached(partition);
  });
  consumer.on('crash', ({ error, restart }) => {
    if (!restart) options.failed?.(error);
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  try {
    await consumer.connect();
    await consumer.subscribe(topic, { fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.follow ? 1 : Math.max(1, ends.size),
      eachBatch: async ({ batch }) => {
        if (wanted && !wanted.has(batch.partition)) return consumer.pause(topic, [batch.partition]);
        if (!options.follow && !pending.has(batch.partition)) return consumer.pause(topic, [batch.partition]);
        await options.eachBatch(batch);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`reading ${topic} timed out after ${timeoutMs} ms, partitions ${[...pending]} behind`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  } catch (e) {
    await stop();
    throw e;
  }
  if (options.follow) return { stop };
  await stop();
  return { stop: async () => undefined };
}
