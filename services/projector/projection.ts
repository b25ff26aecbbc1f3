import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

/**
 * A projection folds the events of its topics into SQL rows. `apply` gets one batch of
 * events of one topic-partition, in order, and writes them in the caller's transaction,
 * which also moves that partition's offset: rows and offset commit together.
 */
export interface Projection<E> {
  readonly name: string;
  /** Logical topic ids. */
  readonly topics: readonly string[];
  /** Throws InvalidMessage for an event it cannot use. */
  parse(topic: string, value: unknown, key: string): E;
  /** Events of its topics that it folds (default: all). */
  filter?(event: E): boolean;
  apply(trx: Transaction<Database>, events: readonly E[]): Promise<void>;
  /** Drops the projection's rows (rebuild). */
  clear(db: Kysely<Database>): Promise<void>;
}

export const toTimestamp = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));
