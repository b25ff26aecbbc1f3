import type { KafkaClient } from './kafka/port.ts';
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

/** A throwaway group per instance and start, for a driver that reads through one (kafka/port.ts readToEnd): every instance gets every partition. */
export const TABLE_GROUP_PREFIX = 'otaflow-table-';

export interface TableDeps {
  readonly kafka: KafkaClient;
  readonly codec: TopicCodec;
  readonly context: () => ParseContext;
  readonly logger: Logger;
  /** Called when the table's consumer crashed for good: the service can no longer follow it. */
  readonly failed: (e: Error) => void;
  readonly timeoutMs?: number;
}

export async function followTable(topic: string, table: GlobalTable, deps: TableDeps): Promise<FollowedTable> {
  const { codec } = deps;
  const log = deps.logger.child({ component: 'global-table', topic });
  const started = Date.now();
  let records = 0;
  const reader = await deps.kafka.readToEnd(topic, {
    groupPrefix: TABLE_GROUP_PREFIX,
    follow: true,
    failed: deps.failed,
    ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
    eachBatch: async (batch) => {
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
  log.info({ ms: Date.now() - started, records }, 'table caught up');
  return reader;
}
