import pg from 'pg';

// SQLSTATEs: the database does not exist; it was created meanwhile by a concurrent start (either code).
const INVALID_CATALOG_NAME = '3D000';
const CREATED_CONCURRENTLY = new Set(['42P04', '23505']);

/**
 * Creates the database that `url` names if it does not exist; true when it created it. A database
 * that exists is only connected to, so a role without access to the `postgres` maintenance
 * database (where the creation runs, with the same credentials and TLS settings) can still migrate.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  try {
    await withClient(url, async () => {});
    return false;
  } catch (e) {
    if ((e as { code?: unknown }).code !== INVALID_CATALOG_NAME) throw e;
  }
  const maintenance = new URL(target);
  maintenance.pathname = '/postgres';
  return withClient(maintenance.toString(), async (client) => {
    try {
      await client.query(`create database ${client.escapeIdentifier(name)}`);
      return true;
    } catch (e) {
      if (CREATED_CONCURRENTLY.has(String((e as { code?: unknown }).code))) return false;
      throw new Error(`cannot create database "${name}": ${(e as Error).message}`);
    }
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
