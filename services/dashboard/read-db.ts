import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../projector/database.ts';

/**
 * The projections, read only: every session is `default_transaction_read_only`, so neither the
 * dashboard nor the CLI can change a row whatever query they build. The projector owns the writes.
 */
export function createReadOnlyDatabase(url: string, max = 3): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max, keepAlive: true, options: '-c default_transaction_read_only=on' });
  // As in createDatabase: a connection that dies fails the query using it, never the process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
