import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { ParseContext } from './actor.ts';
import type { TopicCodec } from './codec.ts';
import type { Logger } from './logger.ts';

/**
 * A topic every instance of a service reads whole — every partition, from the beginning, outside
 * the service's consumer group — into memory its actor reads: Kafka Streams' GlobalKTable. The
 * service starts (and reports ready) only once the table has caught up with the topic's end as it
 * was at the start; then it follows the topic. A decision that reads the table sees it as far as
 * it was read by then, so deciding the same input again may read another version of it: the same
 * non-determinism as a KStream–GlobalKTable join, which owners of tables accept (README Decisions).
 */
export interface GlobalTable {
  /** Logical topic id (topics/<id>.json), which lists the service among its consumers as `<service> (table)`. */
  readonly topic: string;
  /** Takes one record; throws (InvalidMessage) for a value it cannot take, which is logged and skipped. */
  apply(key: string, value: unknown, context: ParseContext): void;
}

export interface FollowedTable {
  stop(): Promise<void>;
}

/** A throwaway group per instance and start, so that every instance gets every partition; kafkajs cannot assign partitions by hand. */
export const TABLE_GROUP_PREFIX = 'otaflow-table-';

export interface TableDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly codec: TopicCodec;
  readonly context: () => ParseContext;
  readonly logger: Logger;
  /** Called when the table's consumer crashed for good: the service can no longer follow it. */
  readonly failed: (e: Error) => void;
  readonly timeoutMs?: number;
}

export async function followTable(topic: string, table: GlobalTable, deps: TableDeps): Promise<FollowedTable> {
  const { kafka, admin, codec, logger } = deps;
  const log = logger.child({ component: 'global-table', topic });
  const ends = new Map<number, bigint>();
  for (const o of await admin.fetchTopicOffsets(topic)) if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
  const groupId = `${TABLE_GROUP_PREFIX}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
  const stop = async () => {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  };
  let caughtUp!: () => void;
  const behind = new Set(ends.keys());
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  if (behind.size === 0) caughtUp();
  // Batches of control records only (a commit marker) reach no eachBatch, but report their last offset here.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = ends.get(payload.partition);
    if (end !== undefined && BigInt(payload.lastOffset) >= end - 1n && behind.delete(payload.partition) && behind.size === 0) caughtUp();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) deps.failed(payload.error);
  });
  const started = Date.now();
  let records = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        await codec.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8') ?? '';
          try {
            table.apply(key, codec.decode(m.value), deps.context());
            records++;
          } catch (e) {
            // The table's records are otaflow's own: one it cannot take is a defect of their producer, and stays on the topic.
            log.error({ partition: batch.partition, offset: m.offset, key, reason: (e as Error).message }, 'table record skipped');
          }
        }
      },
    });
    const timeoutMs = deps.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`reading the table ${topic} timed out after ${timeoutMs} ms, partitions ${[...behind]} behind`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  } catch (e) {
    await stop();
    throw e;
  }
  log.info({ ms: Date.now() - started, records }, 'table caught up');
  return { stop };
}
