import { DEFAULT_MAX_CLOCK_SKEW_MS, InvalidMessage, type ActorType, type InputParser, type Output, type Wake } from './actor.ts';
import { positionsRecord, restoreTasks, stateRecord } from './changelog.ts';
import type { Clock } from './clock.ts';
import type { TopicCodec } from './codec.ts';
import { deadLetter } from './dead-letter.ts';
import { decideBatch, rejectionOf, type BatchDecision, type Rejection } from './decide-batch.ts';
import { deadLetterOrRetry, Defect, type ErrorKind, type RecoveryStrategy } from './errors.ts';
import type { Logger } from './logger.ts';
import { sendChunks } from './send-chunks.ts';
import { Serial } from './serial.ts';
import type { TopicNames } from './topics.ts';
import type { Admin, Batch, KafkaClient, OutMessage, Transaction, TransactionalProducer } from './kafka/port.ts';
import { followTable, type FollowedTable, type GlobalTable } from './global-table.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.ts';
import { Registry } from 'prom-client';
import { WakeHeap } from './wake-heap.ts';
import { SharedValues, StateStore } from './state-store.ts';

/**
 * One actor type run as a Kafka consumer group. Partition p of the inputs is task p:
 * it owns the state of every actor whose key hashes to p, has its own transactional
 * producer (`<group>.task-<p>`, so a new owner fences the old one even without
 * KIP-447), and commits state, outputs and input offsets in one transaction per batch.
 */
export interface ServiceDefinition<S, In, O extends Output = Output> {
  readonly name: string;
  readonly actor: ActorType<S, In, O>;
  /** Logical input topic id → parser of its decoded value (contracts/ inputParsers). */
  readonly inputs: Readonly<Record<string, InputParser<In>>>;
  readonly outputs: readonly O['topic'][];
  readonly changelog: string;
  /** What the service does with each kind of error (default deadLetterOrRetry). */
  readonly recovery?: RecoveryStrategy;
  /** Topics every instance reads whole into memory its actor reads (global-table.ts); the service starts once they caught up. */
  readonly tables?: readonly GlobalTable[];
}

export interface ServiceDeps {
  readonly kafka: KafkaClient;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How far ahead of the clock an input's timestamp may be (default DEFAULT_MAX_CLOCK_SKEW_MS). */
  readonly maxClockSkewMs?: number;
  /** How often due wake-ups are looked for, in real ms. */
  readonly wakeTickMs?: number;
  /** Where the service counts its work (default: a registry of its own, read by no one). */
  readonly metrics?: RuntimeMetrics;
}

/** What /readyz reports of a running consumer group. */
export interface GroupReadiness {
  /** It has joined its consumer group and not crashed or stopped since. */
  readonly joined: boolean;
  /** Assigned partitions whose tasks are still being restored. */
  readonly restoring: number;
  /** Milliseconds since its last heartbeat reached the broker (Infinity before the first). */
  readonly heartbeatAgeMs: number;
}

export interface RunningService<S = unknown> {
  readonly groupId: string;
  /**
   * Settles with the error once the service can no longer make progress by itself (its consumer
   * crashed for good); whoever runs it stops it and starts it again (supervise.ts).
   */
  readonly failed: Promise<Error>;
  /** Inputs dead-lettered and wake-ups dropped since the start, by error kind. */
  readonly rejected: Readonly<Record<Exclude<ErrorKind, 'transient'>, number>>;
  readiness(): GroupReadiness;
  /** The actor states held in memory by its tasks. */
  states(): IterableIterator<S>;
  stop(): Promise<void>;
}

interface Task<S> {
  readonly partition: number;
  readonly producer: TransactionalProducer;
  readonly serial: Serial;
  readonly store: StateStore<S>;
  readonly wakes: WakeHeap;
  readonly positions: Map<string, bigint>;
  ready: Promise<void>;
  closed: boolean;
  /** Wake-up transactions that failed in a row, and when the next may be tried (backoff). */
  wakeFailures: number;
  wakeRetryAt: number;
}


interface Item<In> {
  readonly key: string;
  readonly input: In | Wake;
  /** Dead-letter source of an input record; absent for wake-ups. */
  readonly source?: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null };
}

const WAKES_PER_TRANSACTION = 1000;
const WAKE_RETRY_MAX_MS = 2_000;

export async function startService<S, In>(def: ServiceDefinition<S, In>, deps: ServiceDeps): Promise<RunningService<S>> {
  const { kafka, names, codecs, clock } = deps;
  const log = deps.logger.child({ component: 'runtime' });
  const groupId = `${names.prefix}otaflow.${def.name}`;
  const changelogTopic = names.name(def.changelog);
  const inputIds = Object.keys(def.inputs);
  const inputByName = new Map(inputIds.map((id) => [names.name(id), id]));
  const allowedOutputs = new Set(def.outputs);
  const metrics = deps.metrics ?? createRuntimeMetrics(new Registry());
  const service = { service: def.name };

  const admin = kafka.admin();
  await admin.connect();
  await checkCoPartitioned(admin, [...inputByName.keys(), changelogTopic]);
  for (const id of inputIds) {
    if (!names.spec(id).deadLetter) throw new Error(`input topic ${id} declares no deadLetter topic in topics/${id}.json`);
  }

  const tasks = new Map<number, Task<S>>();
  const shared = new SharedValues();
  const consumer = kafka.consumer({
    groupId,
    coPartitioned: true,
    // The broker's minimum: a member that crashed during a broker outage rejoins as a new member,
    // and the group waits out its former self's session before it hands out partitions again.
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    maxWaitTimeMs: 100,
  });
  metrics.watchLag(consumer, { service: def.name, group: groupId });
  let joined = false;
  let heartbeatAt = -Infinity;
  consumer.on('join', () => (joined = true));
  consumer.on('heartbeat', () => (heartbeatAt = Date.now()));
  consumer.on('crash', () => (joined = false));
  consumer.on('stop', () => (joined = false));
  /** Tasks whose restore has not finished. */
  const restoring = new Set<Task<S>>();

  const openTask = (partition: number): Task<S> => {
    const producer = kafka.transactionalProducer({ transactionalId: `${groupId}.task-${partition}`, transactionTimeoutMs: 30_000 });
    const task: Task<S> = {
      partition,
      producer,
      serial: new Serial(),
      store: new StateStore(def.actor, shared),
      wakes: new WakeHeap(),
      positions: new Map(),
      ready: Promise.resolve(),
      closed: false,
      wakeFailures: 0,
      wakeRetryAt: 0,
    };
    tasks.set(partition, task);
    return task;
  };

  /**
   * Fences the previous owners' producers, then restores every new task in one read, streaming
   * each record into its task's store.
   */
  const openTasks = (partitions: number[]): void => {
    const opened = partitions.map(openTask);
    const byPartition = new Map(opened.map((t) => [t.partition, t]));
    const restored = (async () => {
      await Promise.all(opened.map((t) => t.producer.fence()));
      const started = Date.now();
      const read = await restoreTasks(kafka, changelogTopic, partitions, (partition, key, value) => byPartition.get(partition)!.store.restore(key, value));
      for (const task of opened) {
        for (const [key, at] of task.store.restored()) task.wakes.set(key, at);
        for (const [topic, offset] of read.positions.get(task.partition)!) task.positions.set(topic, offset);
      }
      log.info({ topic: changelogTopic, partitions, ms: Date.now() - started, records: read.records, actors: opened.reduce((n, t) => n + t.store.size, 0) }, 'restored tasks');
    })();
    const restoreTimer = metrics.restoreSeconds.startTimer(service);
    restored.then(() => restoreTimer(), () => undefined);
    for (const task of opened) restoring.add(task);
    for (const task of opened) {
      task.ready = restored;
      task.ready.catch((e: unknown) => log.error({ err: e, partition: task.partition }, 'task failed to open'));
      task.ready.then(() => restoring.delete(task), () => undefined);
    }
  };

  const closeTask = async (task: Task<S>): Promise<void> => {
    task.closed = true;
    if (tasks.get(task.partition) === task) tasks.delete(task.partition);
    await task.serial.run(async () => undefined);
    await task.producer.disconnect().catch(() => undefined);
  };

  consumer.on('join', ({ assignment }) => {
    const assigned = new Set<number>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      if (inputByName.has(topic)) for (const p of partitions) assigned.add(p);
    }
    for (const task of [...tasks.values()]) if (!assigned.has(task.partition)) void closeTask(task);
    const fresh = [...assigned].filter((p) => !tasks.has(p));
    if (fresh.length > 0) openTasks(fresh);
    log.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'assignment');
  });

  const recovery = def.recovery ?? deadLetterOrRetry;
  const rejected = { invalid: 0, defect: 0 };
  const deadLetterTopic = (inputTopic: string) => names.name(names.spec(inputByName.get(inputTopic)!).deadLetter!);

  /** Counted and logged once its transaction committed: an aborted one is decided again. */
  const report = (partition: number, rejection: Omit<Rejection, 'index'>, where: { key?: string | undefined; offset?: string; topic?: string }) => {
    rejected[rejection.kind]++;
    if (where.topic !== undefined) metrics.deadLetters.inc({ ...service, topic: where.topic, kind: rejection.kind });
    const level = rejection.kind === 'defect' ? 'error' : 'warn';
    if (where.offset === undefined) log[level]({ partition, key: where.key, kind: rejection.kind, reason: rejection.reason }, "wake-up failed: dropped until the actor's next input");
    else log[level]({ partition, offset: where.offset, kind: rejection.kind, reason: rejection.reason }, 'dead-lettered');
  };

  /** Decides items against the task's committed states; returns what the transaction must write. */
  const decideAll = (task: Task<S>, items: readonly Item<In>[], now: number) => {
    const decision = decideBatch({ actor: def.actor, stored: task.store.get, share: task.store.share, encode: encodeOutput, recovery, service: def.name }, items, now);
    const shares = task.store.takeShares();
    const messages = new Map<string, OutMessage[]>();
    for (const [topic, m] of decision.outputs) append(messages, topic, m);
    for (const r of decision.rejections) {
      const source = items[r.index]!.source;
      if (source) append(messages, deadLetterTopic(source.topic), deadLetter({ service: def.name, ...source }, r.reason, r.kind));
    }
    // A shared value goes before the first state that refers to it.
    for (const [key, json] of shares) append(messages, changelogTopic, stateRecord(key, json, task.partition));
    for (const [key, json] of decision.serialised) append(messages, changelogTopic, stateRecord(key, json, task.partition));
    return { decision: { ...decision, shares }, messages };
  };

  const encodeOutput = (o: Output): [string, OutMessage] => {
    if (!allowedOutputs.has(o.topic)) throw new Defect(`output to undeclared topic ${o.topic}`);
    try {
      return [names.name(o.topic), { key: o.key, value: codecs.get(o.topic)!.encode(o.value) }];
    } catch (e) {
      throw new Defect(`output to ${o.topic} does not encode: ${(e as Error).message}`);
    }
  };

  /** After the commit: the states become the task's, and the rejections are counted and logged. */
  const commitDecision = (task: Task<S>, items: readonly Item<In>[], decision: BatchDecision<S> & { shares: [string, string][] }): void => {
    for (const r of decision.rejections) report(task.partition, r, { key: items[r.index]!.key, offset: items[r.index]!.source?.offset, topic: items[r.index]!.source?.topic });
    task.store.commit(decision, decision.shares);
    for (const [key, state] of decision.staged) task.wakes.set(key, state === undefined ? undefined : def.actor.wakeAt(state));
  };

  const countCommitted = (messages: Map<string, OutMessage[]>): void => {
    for (const [topic, list] of messages) metrics.recordsOut.inc({ ...service, topic }, list.length);
  };

  const send = async (tx: Transaction, messages: Map<string, OutMessage[]>): Promise<void> => {
    for (const [topic, list] of messages) for (const chunk of sendChunks(list)) await tx.send({ topic, messages: chunk });
  };

  const processBatch = async (task: Task<S>, batch: Batch): Promise<string | undefined> => {
    const inputId = inputByName.get(batch.topic)!;
    const codec = codecs.get(inputId)!;
    const parse = def.inputs[inputId]!;
    const from = task.positions.get(batch.topic) ?? -1n;
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
    if (fresh.length === 0) return batch.messages.at(-1)?.offset;
    const endBatch = metrics.batchSeconds.startTimer(service);
    await codec.prepare(fresh.map((m) => m.value));
    const items: Item<In>[] = [];
    const unparsed: { offset: bigint; source: NonNullable<Item<In>['source']>; rejection: Omit<Rejection, 'index'> }[] = [];
    const now = clock.now();
    const context = { now, maxSkewMs: deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS };
    for (const m of fresh) {
      const source = { topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers };
      const key = m.key?.toString('utf8');
      try {
        if (!key || key.startsWith('\u0000')) throw new InvalidMessage('the message has no key (the key must be the actor key)');
        items.push({ key, input: parse(codec.decode(m.value), key, context), source });
      } catch (e) {
        unparsed.push({ offset: BigInt(m.offset), source, rejection: rejectionOf(def.name, recovery, e) });
      }
    }
    const { decision, messages } = decideAll(task, items, now);
    // A cut batch ends before its first undecided item; the rest comes again with the next fetch.
    const cut = decision.processed < items.length ? BigInt(items[decision.processed]!.source!.offset) : undefined;
    const next = cut ?? BigInt(fresh.at(-1)!.offset) + 1n;
    const dead = unparsed.filter((u) => u.offset < next);
    for (const u of dead) append(messages, deadLetterTopic(batch.topic), deadLetter({ service: def.name, ...u.source }, u.rejection.reason, u.rejection.kind));
    const positions = new Map(task.positions).set(batch.topic, next);
    append(messages, changelogTopic, positionsRecord(positions, task.partition));
    const endCommit = metrics.commitSeconds.startTimer(service);
    await task.producer.inTransaction(async (tx) => {
      await send(tx, messages);
      await tx.sendOffsets(consumer, [{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
    });
    endCommit();
    commitDecision(task, items, decision);
    for (const u of dead) report(batch.partition, u.rejection, { offset: u.source.offset, topic: batch.topic });
    countCommitted(messages);
    metrics.recordsIn.inc({ ...service, topic: batch.topic }, cut === undefined ? fresh.length : fresh.findIndex((m) => BigInt(m.offset) >= next));
    metrics.batchRecords.observe(service, fresh.length);
    endBatch();
    task.positions.set(batch.topic, next);
    return (next - 1n).toString();
  };

  let fail!: (e: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  // The driver restarts a consumer after a retriable crash by itself; after any other it stays down
  // while the process lives on: alive but dead, unless whoever runs the service starts it again.
  consumer.on('crash', ({ error, restart }) => {
    if (restart) log.warn({ err: error }, 'consumer crashed; the client restarts it');
    else fail(error);
  });
  const context = () => ({ now: clock.now(), maxSkewMs: deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS });
  const tables: FollowedTable[] = [];
  for (const table of def.tables ?? []) {
    tables.push(await followTable(names.name(table.topic), table, { kafka, codec: codecs.get(table.topic)!, context, logger: log, failed: fail }));
  }
  await consumer.connect();
  for (const topic of inputByName.keys()) await consumer.subscribe(topic, { fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    autoResolve: false,
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const task = tasks.get(batch.partition);
      if (!task || task.closed) throw new Error(`partition ${batch.partition} of ${batch.topic} has no open task`);
      try {
        await waitReady(task, heartbeat);
      } catch (e) {
        // Reopen from scratch: the batch is retried by the client once this throws.
        await closeTask(task);
        openTasks([batch.partition]);
        throw e;
      }
      if (!isRunning() || isStale()) return;
      try {
        const last = await task.serial.run(() => (task.closed ? Promise.resolve(undefined) : processBatch(task, batch)));
        if (last !== undefined) resolveOffset(last);
      } catch (e) {
        if (kafka.isFenced(e)) {
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
      const { decision, messages } = decideAll(task, items, clock.now());
      const endCommit = metrics.commitSeconds.startTimer(service);
      await task.producer.inTransaction((tx) => send(tx, messages));
      endCommit();
      countCommitted(messages);
      commitDecision(task, items, decision);
      for (const d of due.slice(decision.processed)) task.wakes.set(d.key, d.at);
      task.wakeFailures = 0;
    } catch (e) {
      for (const d of due) if (task.store.has(d.key)) task.wakes.set(d.key, d.at);
      // The wake-ups are due again at once: without a backoff an outage would be a busy loop.
      task.wakeFailures++;
      task.wakeRetryAt = Date.now() + Math.min(WAKE_RETRY_MAX_MS, 50 * 2 ** task.wakeFailures);
      throw e;
    }
  };

  let stopping = false;
  const waking = new Set<number>();
  const tick = setInterval(() => {
    for (const task of tasks.values()) {
      if (task.closed || waking.has(task.partition) || task.wakeRetryAt > Date.now() || !((task.wakes.nextAt() ?? Infinity) <= clock.now())) continue;
      waking.add(task.partition);
      task.ready
        .then(() => task.serial.run(() => (task.closed || stopping ? Promise.resolve() : wakeTask(task))))
        .catch((e: unknown) => {
          log.warn({ err: e, partition: task.partition, retryInMs: task.wakeRetryAt - Date.now() }, 'wake-up transaction failed; will retry');
          if (kafka.isFenced(e)) return closeTask(task);
        })
        .finally(() => waking.delete(task.partition));
    }
  }, deps.wakeTickMs ?? 20);

  const removeGauges = metrics.addSource({
    service: def.name,
    actors: () => [...tasks.values()].reduce((n, t) => n + t.store.size, 0),
    pendingWakeups: () => [...tasks.values()].reduce((n, t) => n + t.wakes.size, 0),
  });
  log.info({ groupId, inputs: [...inputByName.keys()], changelog: changelogTopic }, 'service started');
  return {
    groupId,
    failed,
    rejected,
    readiness: () => ({ joined, restoring: [...tasks.values()].filter((t) => restoring.has(t)).length, heartbeatAgeMs: Date.now() - heartbeatAt }),
    *states() {
      for (const task of tasks.values()) yield* task.store.states();
    },
    async stop() {
      stopping = true;
      removeGauges();
      clearInterval(tick);
      await consumer.disconnect();
      await Promise.all([...tasks.values()].map(closeTask));
      await Promise.all(tables.map((t) => t.stop()));
      await admin.disconnect();
      log.info('service stopped');
    },
  };
}

function append(messages: Map<string, OutMessage[]>, topic: string, m: OutMessage): void {
  const list = messages.get(topic);
  if (list) list.push(m);
  else messages.set(topic, [m]);
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
  const counts = await admin.partitionCounts(topics);
  const distinct = new Set(counts.values());
  if (distinct.size > 1) {
    throw new Error(`inputs and changelog must have equal partition counts (co-partitioning), got ${JSON.stringify(Object.fromEntries(counts))}`);
  }
}
