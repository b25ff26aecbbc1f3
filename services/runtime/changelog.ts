import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import { PIECE_SEPARATOR, type ActorType } from './actor.ts';

/**
 * A service's state lives in a compacted changelog topic co-partitioned with its
 * inputs: partition p holds the state of every actor of task p, plus one record with
 * the next input offset per topic that the state already covers. Both are written in
 * the transaction that commits the consumer offsets, so a restored task knows exactly
 * which input records its state includes and skips them if they are delivered again.
 */
export const POSITIONS_KEY = '\u0000positions';

/** Physical input topic name → next offset not yet reflected in a task's states. */
export type Positions = Map<string, bigint>;

/** Takes a changelog record of a state (or a piece, or a shared value) as a restore reads it; `value` null is a tombstone. */
export type RestoreSink = (partition: number, key: string, value: string | null) => void;

/** The actors' states in a snapshot: whole states as they are, the pieces of each actor assembled. */
export function actorStates<S>(actor: ActorType<S, never>, records: ReadonlyMap<string, unknown>): Map<string, S> {
  if (!actor.pieces) return records as Map<string, S>;
  const pieces = new Map<string, Map<string, unknown>>();
  for (const [recordKey, value] of records) {
    const at = recordKey.indexOf(PIECE_SEPARATOR);
    if (at < 0) continue;
    const key = recordKey.slice(0, at);
    let mine = pieces.get(key);
    if (!mine) pieces.set(key, (mine = new Map()));
    mine.set(recordKey.slice(at + PIECE_SEPARATOR.length), value);
  }
  const states = new Map<string, S>();
  for (const [key, mine] of pieces) states.set(key, actor.pieces.assemble(key, mine));
  return states;
}

/** `json` is the state serialised, or null for a tombstone (the actor is forgotten). */
export function stateRecord(key: string, json: string | null, partition: number): Message {
  return { key, value: json, partition };
}

export function positionsRecord(positions: ReadonlyMap<string, bigint>, partition: number): Message {
  const plain = Object.fromEntries([...positions].map(([t, o]) => [t, o.toString()]));
  return { key: POSITIONS_KEY, value: JSON.stringify(plain), partition };
}

/**
 * Reads the given changelog partitions from the beginning to their end, handing every state
 * record to `sink` as it comes (no snapshot is built beside the tasks' stores), and returns each
 * partition's positions. kafkajs has no manual partition assignment, so a throwaway consumer
 * group does the reading. The end is the high watermark taken after the task's producer has
 * fenced any previous owner, so no transaction of that partition can still be open.
 */
export async function restoreTasks(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  sink: RestoreSink,
  timeoutMs = 120_000,
): Promise<{ readonly positions: Map<number, Positions>; readonly records: number }> {
  const result = new Map<number, Positions>(partitions.map((p) => [p, new Map()]));
  let records = 0;
  const ends = new Map<number, bigint>();
  for (const o of await admin.fetchTopicOffsets(topic)) {
    if (result.has(o.partition) && BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
  }
  if (ends.size === 0) return { positions: result, records };

  const groupId = `otaflow-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
  const pending = new Set(ends.keys());
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const markDone = (partition: number) => {
    if (!pending.delete(partition)) return;
    consumer.pause([{ topic, partitions: [partition] }]);
    if (pending.size === 0) finish();
  };
  // Batches of control records only (the last commit marker) reach no eachBatch, but
  // still report their last offset here.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = ends.get(payload.partition);
    if (end !== undefined && BigInt(payload.lastOffset) >= end - 1n) markDone(payload.partition);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, partitions.length),
      eachBatch: async ({ batch }) => {
        const positions = result.get(batch.partition);
        if (!positions || !pending.has(batch.partition)) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        records += batch.messages.length;
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          if (key === POSITIONS_KEY) {
            const plain = JSON.parse(m.value!.toString()) as Record<string, string>;
            for (const [t, o] of Object.entries(plain)) positions.set(t, BigInt(o));
          } else {
            sink(batch.partition, key, m.value === null ? null : m.value.toString());
          }
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`restoring ${topic} partitions ${[...pending]} timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return { positions: result, records };
}
