// Only PostgreSQL shows this: the migration script against a real server.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { projectRoot } from '../services/runtime/topics.ts';

const run = promisify(execFile);

/** `npm run migrate` as a process, against `databaseUrl`. */
function migrate(databaseUrl: string): Promise<{ stdout: string }> {
  return run(process.execPath, [join(projectRoot, 'scripts', 'migrate.ts')], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: databaseUrl } });
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('npm run migrate', () => {
  const shared = new URL(parseRuntimeConfig(process.env).databaseUrl);
  const name = `otaflow_migrate_${randomUUID().slice(0, 8)}`;
  const fresh = new URL(shared);
  fresh.pathname = `/${name}`;
  const maintenance = new URL(shared);
  maintenance.pathname = '/postgres';
  afterAll(async () => {
    await query(maintenance.toString(), `drop database if exists "${name}" with (force)`);
  });

  it('creates the database DATABASE_URL names when it is missing, then applies every migration; a second run changes nothing', async () => {
    expect(await query(maintenance.toString(), 'select 1 from pg_database where datname = $1', [name])).toEqual([]);

    const first = await migrate(fresh.toString());
    expect(first.stdout).toContain(`migrations: created the database at ${fresh}`);
    expect(first.stdout).toMatch(/migrations: applied /);
    const tables = await query<{ table_name: string }>(fresh.toString(), `select table_name from information_schema.tables where table_schema = 'public'`);
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['projection_offsets', 'campaigns', 'campaign_devices', 'cell_utilisation', 'pilot_success', 'device_checkins', 'verbose_logging']),
    );

    const second = await migrate(fresh.toString());
    expect(second.stdout.trim()).toBe('migrations: up to date');
  });
});
