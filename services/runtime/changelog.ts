import type { KafkaClient, OutMessage } from './kafka/port.ts';
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
export function stateRecord(key: string, json: string | null, partition: number): OutMessage {
  return { key, value: json, partition };
}

export function positionsRecord(positions: ReadonlyMap<string, bigint>, partition: number): OutMessage {
  const plain = Object.fromEntries([...positions].map(([t, o]) => [t, o.toString()]));
  return { key: POSITIONS_KEY, value: JSON.stringify(plain), partition };
}

/** The throwaway groups a restore may read through (kafka/port.ts readToEnd); the ACLs grant them (services/ops/acls.ts). */
export const RESTORE_GROUP_PREFIX = 'otaflow-restore-';

/**
 * Reads the given changelog partitions from the beginning to their end, handing every state
 * record to `sink` as it comes (no snapshot is built beside the tasks' stores), and returns each
 * partition's positions. The end is the high watermark taken after the task's producer has
 * fenced any previous owner, so no transaction of that partition can still be open.
 */
export async function restoreTasks(
  kafka: KafkaClient,
  topic: string,
  partitions: readonly number[],
  sink: RestoreSink,
  timeoutMs = 120_000,
): Promise<{ readonly positions: Map<number, Positions>; readonly records: number }> {
  const result = new Map<number, Positions>(partitions.map((p) => [p, new Map()]));
  let records = 0;
  await kafka.readToEnd(topic, {
    groupPrefix: RESTORE_GROUP_PREFIX,
    partitions,
    timeoutMs,
    eachBatch: (batch) => {
      const positions = result.get(batch.partition)!;
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
  return { positions: result, records };
}
