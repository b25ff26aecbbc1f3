import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { ParseContext } from '../runtime/actor.ts';
import type { Database } from './database.ts';

/**
 * A projection folds the events of its topics into SQL rows. The pipeline groups a batch's
 * events by `keyOf`, folds each group in order with `fold`, and hands `write` one change per
 * key, in the transaction that also moves the batch's offsets: rows and offsets commit
 * together, and one `INSERT … ON CONFLICT` never touches a row twice.
 */
export interface Projection<E, R> {
  readonly name: string;
  /** Logical topic ids. */
  readonly topics: readonly string[];
  /** Throws InvalidMessage for an event it cannot use. */
  parse(topic: string, value: unknown, key: string, context: ParseContext): E;
  /** Events of its topics that it folds (default: all). */
  filter?(event: E): boolean;
  /** The row an event changes. */
  keyOf(event: E): string;
  /** The change to one row after one more event; `change` is undefined for the key's first event of a batch. */
  fold(change: R | undefined, event: E): R;
  write(trx: Transaction<Database>, changes: readonly R[]): Promise<void>;
  /** Drops the projection's rows (rebuild). */
  clear(db: Kysely<Database> | Transaction<Database>): Promise<void>;
}

/** A projection of any event and row type: the sink and the rebuild run them all alike. */
export type AnyProjection = Projection<any, any>;

export const toTimestamp = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));

/** `SET column = excluded.column` for each column: on conflict, the row takes the batch's value. */
export function takeIncoming<C extends string>(columns: readonly C[]): Record<C, RawBuilder<never>> {
  return Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as Record<C, RawBuilder<never>>;
}
