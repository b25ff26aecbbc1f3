import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import { PIECE_SEPARATOR, type ActorType } from './actor.ts';
import type { Logger } from './logger.ts';

/**
 * A service's state lives in a compacted changelog topic co-partitioned with its
 * inputs: partition p holds the state of every actor of task p, plus one record with
 * the next input offset per topic that the state already covers. Both are written in
 * the transaction that commits the consumer offsets, so a restored task knows exactly
 * which input records its state includes and skips them if they are delivered again.
 */
export const POSITIONS_KEY = '\u0000positions';

export interface TaskSnapshot {
  /** Record key → value: an actor's whole state, or one piece of it (StatePieces). */
  readonly states: Map<string, unknown>;
  /** Physical input topic name → next offset not yet reflected in the states. */
  readonly positions: Map<string, bigint>;
}

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
 * Reads the given changelog partitions from the beginning to their end. kafkajs has no
 * manual partition assignment, so a throwaway consumer group does the reading. The end
 * is the high watermark taken after the task's producer has fenced any previous owner,
 * so no transaction of that partition can still be open.
 */
export async function restoreTasks(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  logger: Logger,
  timeoutMs = 120_000,
): Promise<Map<number, TaskSnapshot>> {
  const result = new Map<number, TaskSnapshot>(partitions.map((p) => [p, { states: new Map(), positions: new Map() }]));
  const ends = new Map<number, bigint>();
  for (const o of await admin.fetchTopicOffsets(topic)) {
    if (result.has(o.partition) && BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
  }
  if (ends.size === 0) return result;

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
  const started = Date.now();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, partitions.length),
      eachBatch: async ({ batch }) => {
        const snapshot = result.get(batch.partition);
        if (!snapshot || !pending.has(batch.partition)) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          if (key === POSITIONS_KEY) {
            const plain = JSON.parse(m.value!.toString()) as Record<string, string>;
            for (const [t, o] of Object.entries(plain)) snapshot.positions.set(t, BigInt(o));
          } else if (m.value === null) {
            snapshot.states.delete(key);
          } else {
            snapshot.states.set(key, JSON.parse(m.value.toString()));
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
  logger.info({ topic, partitions, ms: Date.now() - started, actors: [...result.values()].reduce((n, s) => n + s.states.size, 0) }, 'restored tasks');
  return result;
}
