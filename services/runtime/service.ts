import { Partitioners, type Admin, type Batch, type Consumer, type Kafka, type Message, type Producer } from 'kafkajs';
import { DEFAULT_MAX_CLOCK_SKEW_MS, type ActorType, type InputParser, type Output, type Wake } from './actor.ts';
import { positionsRecord, restoreTasks, stateRecord, type TaskSnapshot } from './changelog.ts';
import type { Clock } from './clock.ts';
import type { TopicCodec } from './codec.ts';
import { coPartitionedAssigner } from './co-partitioned-assigner.ts';
import { deadLetter } from './dead-letter.ts';
import type { Logger } from './logger.ts';
import { sendChunks } from './send-chunks.ts';
import { Serial } from './serial.ts';
import type { TopicNames } from './topics.ts';
import { inTransaction, isFenced } from './transaction.ts';
import { WakeHeap } from './wake-heap.ts';

/**
 * One actor type run as a Kafka consumer group. Partition p of the inputs is task p:
 * it owns the state of every actor whose key hashes to p, has its own transactional
 * producer (`<group>.task-<p>`, so a new owner fences the old one: kafkajs has no
 * KIP-447), and commits state, outputs and input offsets in one transaction per batch.
 */
export interface ServiceDefinition<S, In> {
  readonly name: string;
  readonly actor: ActorType<S, In>;
  /** Logical input topic id → parser of its decoded value. */
  readonly inputs: Readonly<Record<string, InputParser<In>>>;
  readonly outputs: readonly string[];
  readonly changelog: string;
}

export interface ServiceDeps {
  readonly kafka: Kafka;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How far ahead of the clock an input's timestamp may be (default DEFAULT_MAX_CLOCK_SKEW_MS). */
  readonly maxClockSkewMs?: number;
  /** How often due wake-ups are looked for, in real ms. */
  readonly wakeTickMs?: number;
}

export interface RunningService {
  readonly groupId: string;
  stop(): Promise<void>;
}

interface Task<S> {
  readonly partition: number;
  readonly producer: Producer;
  readonly serial: Serial;
  readonly store: Map<string, S>;
  readonly wakes: WakeHeap;
  readonly positions: Map<string, bigint>;
  ready: Promise<void>;
  closed: boolean;
}

interface Item<In> {
  readonly key: string;
  readonly input: In | Wake;
  /** Dead-letter source of an input record; absent for wake-ups. */
  readonly source?: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null };
}

const WAKES_PER_TRANSACTION = 1000;

export async function startService<S, In>(def: ServiceDefinition<S, In>, deps: ServiceDeps): Promise<RunningService> {
  const { kafka, names, codecs, clock } = deps;
  const log = deps.logger.child({ component: 'runtime' });
  const groupId = `${names.prefix}otaflow.${def.name}`;
  const changelogTopic = names.name(def.changelog);
  const inputIds = Object.keys(def.inputs);
  const inputByName = new Map(inputIds.map((id) => [names.name(id), id]));
  const allowedOutputs = new Set(def.outputs);

  const admin = kafka.admin();
  await admin.connect();
  await checkCoPartitioned(admin, [...inputByName.keys(), changelogTopic]);
  for (const id of inputIds) {
    if (!names.spec(id).deadLetter) throw new Error(`input topic ${id} declares no deadLetter topic in topics/${id}.json`);
  }

  const tasks = new Map<number, Task<S>>();
  const consumer: Consumer = kafka.consumer({
    groupId,
    partitionAssigners: [coPartitionedAssigner],
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });

  const openTask = (partition: number): Task<S> => {
    const producer = kafka.producer({
      transactionalId: `${groupId}.task-${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 30_000,
      // CONCURRENT_TRANSACTIONS right after a commit clears within milliseconds; retry soon.
      retry: { initialRetryTime: 5, retries: 10 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const task: Task<S> = {
      partition,
      producer,
      serial: new Serial(),
      store: new Map(),
      wakes: new WakeHeap(),
      positions: new Map(),
      ready: Promise.resolve(),
      closed: false,
    };
    tasks.set(partition, task);
    return task;
  };

  /** Fences the previous owners' producers, then restores every new task in one read. */
  const openTasks = (partitions: number[]): void => {
    const opened = partitions.map(openTask);
    const restored = (async () => {
      await Promise.all(
        opened.map(async (t) => {
          await t.producer.connect();
          const tx = await t.producer.transaction();
          await tx.abort();
        }),
      );
      return restoreTasks(kafka, admin, changelogTopic, partitions, log);
    })();
    for (const task of opened) {
      task.ready = restored.then((snapshots) => loadSnapshot(task, snapshots.get(task.partition)!));
      task.ready.catch((e: unknown) => log.error({ err: e, partition: task.partition }, 'task failed to open'));
    }
  };

  const loadSnapshot = (task: Task<S>, snapshot: TaskSnapshot): void => {
    for (const [key, state] of snapshot.states) {
      task.store.set(key, state as S);
      task.wakes.set(key, def.actor.wakeAt(state as S));
    }
    for (const [topic, offset] of snapshot.positions) task.positions.set(topic, offset);
  };

  const closeTask = async (task: Task<S>): Promise<void> => {
    task.closed = true;
    if (tasks.get(task.partition) === task) tasks.delete(task.partition);
    await task.serial.run(async () => undefined);
    await task.producer.disconnect().catch(() => undefined);
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = new Set<number>();
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      if (inputByName.has(topic)) for (const p of partitions) assigned.add(p);
    }
    for (const task of [...tasks.values()]) if (!assigned.has(task.partition)) void closeTask(task);
    const fresh = [...assigned].filter((p) => !tasks.has(p));
    if (fresh.length > 0) openTasks(fresh);
    log.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'assignment');
  });

  /** Decides every item against staged state; returns what the transaction must write. */
  const decideAll = (task: Task<S>, items: readonly Item<In>[], now: number) => {
    const staged = new Map<string, S | undefined>();
    const messages = new Map<string, Message[]>();
    const add = (topic: string, m: Message) => {
      const list = messages.get(topic);
      if (list) list.push(m);
      else messages.set(topic, [m]);
    };
    for (const item of items) {
      const before = staged.has(item.key) ? staged.get(item.key) : task.store.get(item.key);
      try {
        const decision = def.actor.decide(before ?? def.actor.initial(item.key), item.input, now);
        const encoded = decision.outputs.map((o) => encodeOutput(o));
        staged.set(item.key, decision.state);
        for (const [topic, m] of encoded) add(topic, m);
      } catch (e) {
        if (!item.source) throw e;
        const reason = `${def.name} could not handle the message: ${(e as Error).message}`;
        add(names.name(names.spec(inputByName.get(item.source.topic)!).deadLetter!), deadLetter({ service: def.name, ...item.source }, reason));
        log.warn({ partition: task.partition, key: item.key, reason }, 'dead-lettered');
      }
    }
    for (const [key, state] of staged) add(changelogTopic, stateRecord(key, state, task.partition));
    return { staged, messages };
  };

  const encodeOutput = (o: Output): [string, Message] => {
    if (!allowedOutputs.has(o.topic)) throw new Error(`output to undeclared topic ${o.topic}`);
    return [names.name(o.topic), { key: o.key, value: codecs.get(o.topic)!.encode(o.value) }];
  };

  const commitStaged = (task: Task<S>, staged: Map<string, S | undefined>): void => {
    for (const [key, state] of staged) {
      if (state === undefined) {
        task.store.delete(key);
        task.wakes.set(key, undefined);
      } else {
        task.store.set(key, state);
        task.wakes.set(key, def.actor.wakeAt(state));
      }
    }
  };

  const send = async (tx: { send: Producer['send'] }, messages: Map<string, Message[]>): Promise<void> => {
    for (const [topic, list] of messages) for (const chunk of sendChunks(list)) await tx.send({ topic, messages: chunk });
  };

  const processBatch = async (task: Task<S>, batch: Batch): Promise<string | undefined> => {
    const inputId = inputByName.get(batch.topic)!;
    const codec = codecs.get(inputId)!;
    const parse = def.inputs[inputId]!;
    const from = task.positions.get(batch.topic) ?? -1n;
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
    if (fresh.length === 0) return batch.messages.at(-1)?.offset;
    await codec.prepare(fresh.map((m) => m.value));
    const items: Item<In>[] = [];
    const dead: Message[] = [];
    const now = clock.now();
    const context = { now, maxSkewMs: deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS };
    const dlq = names.name(names.spec(inputId).deadLetter!);
    for (const m of fresh) {
      const source = { topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers };
      try {
        const key = m.key?.toString('utf8');
        if (!key || key.startsWith('\u0000')) throw new Error('the message has no key (the key must be the actor key)');
        items.push({ key, input: parse(codec.decode(m.value), key, context), source });
      } catch (e) {
        dead.push(deadLetter({ service: def.name, ...source }, (e as Error).message));
        log.warn({ partition: batch.partition, offset: m.offset, reason: (e as Error).message }, 'dead-lettered');
      }
    }
    const { staged, messages } = decideAll(task, items, now);
    if (dead.length > 0) messages.set(dlq, [...(messages.get(dlq) ?? []), ...dead]);
    const last = fresh.at(-1)!.offset;
    const next = BigInt(last) + 1n;
    const positions = new Map(task.positions).set(batch.topic, next);
    (messages.get(changelogTopic) ?? messages.set(changelogTopic, []).get(changelogTopic)!).push(positionsRecord(positions, task.partition));
    await inTransaction(task.producer, async (tx) => {
      await send(tx, messages);
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next.toString() }] }] });
    });
    commitStaged(task, staged);
    task.positions.set(batch.topic, next);
    return last;
  };

  await consumer.connect();
  for (const topic of inputByName.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const task = tasks.get(batch.partition);
      if (!task || task.closed) throw new Error(`partition ${batch.partition} of ${batch.topic} has no open task`);
      try {
        await waitReady(task, heartbeat);
      } catch (e) {
        // Reopen from scratch: the batch is retried by kafkajs once this throws.
        await closeTask(task);
        openTasks([batch.partition]);
        throw e;
      }
      if (!isRunning() || isStale()) return;
      try {
        const last = await task.serial.run(() => (task.closed ? Promise.resolve(undefined) : processBatch(task, batch)));
        if (last !== undefined) resolveOffset(last);
      } catch (e) {
        if (isFenced(e)) {
          log.warn({ partition: task.partition }, 'task fenced by a newer owner; closing it');
          await closeTask(task);
        }
        throw e;
      }
      await heartbeat();
    },
  });

  const wakeTask = async (task: Task<S>): Promise<void> => {
    const due = task.wakes.takeDue(clock.now(), WAKES_PER_TRANSACTION);
    if (due.length === 0) return;
    const items = due.map((d) => ({ key: d.key, input: { kind: 'wake', at: d.at } as Wake }));
    try {
      const { staged, messages } = decideAll(task, items, clock.now());
      await inTransaction(task.producer, (tx) => send(tx, messages));
      commitStaged(task, staged);
    } catch (e) {
      for (const d of due) if (task.store.has(d.key)) task.wakes.set(d.key, d.at);
      throw e;
    }
  };

  let stopping = false;
  const waking = new Set<number>();
  const tick = setInterval(() => {
    for (const task of tasks.values()) {
      if (task.closed || waking.has(task.partition) || !((task.wakes.nextAt() ?? Infinity) <= clock.now())) continue;
      waking.add(task.partition);
      task.ready
        .then(() => task.serial.run(() => (task.closed || stopping ? Promise.resolve() : wakeTask(task))))
        .catch((e: unknown) => {
          log.error({ err: e, partition: task.partition }, 'wake-up transaction failed; will retry');
          if (isFenced(e)) return closeTask(task);
        })
        .finally(() => waking.delete(task.partition));
    }
  }, deps.wakeTickMs ?? 20);

  log.info({ groupId, inputs: [...inputByName.keys()], changelog: changelogTopic }, 'service started');
  return {
    groupId,
    async stop() {
      stopping = true;
      clearInterval(tick);
      await consumer.disconnect();
      await Promise.all([...tasks.values()].map(closeTask));
      await admin.disconnect();
      log.info('service stopped');
    },
  };
}

async function waitReady(task: Task<unknown>, heartbeat: () => Promise<void>): Promise<void> {
  let done = false;
  const ready = task.ready.finally(() => (done = true));
  while (!done) {
    await Promise.race([ready, new Promise((r) => setTimeout(r, 1000))]);
    if (!done) await heartbeat();
  }
  await ready;
}

async function checkCoPartitioned(admin: Admin, topics: string[]): Promise<void> {
  const meta = await admin.fetchTopicMetadata({ topics });
  const counts = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
  const distinct = new Set(counts.values());
  if (distinct.size > 1) {
    throw new Error(`inputs and changelog must have equal partition counts (co-partitioning), got ${JSON.stringify(Object.fromEntries(counts))}`);
  }
}
