import { Kysely, PostgresDialect, type ColumnType, type Generated } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import type { VerboseEvent } from '../../contracts/verbose-events.ts';
import { migrationProvider } from './migrations/index.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface Database {
  projection_offsets: { projection: string; cluster_id: string; topic: string; partition: number; next_offset: ColumnType<string, string | bigint, string | bigint>; updated_at: Generated<Timestamp> };
  campaigns: {
    campaign_id: string;
    status: string | null;
    api: string | null;
    make: string | null;
    model: string | null;
    target_version: string | null;
    device_count: Generated<number>;
    accepted: Generated<number>;
    rejected: Generated<number>;
    succeeded: Generated<number>;
    failed: Generated<number>;
    cancelled: Generated<number>;
    schedule_kind: string | null;
    schedule_start_at: Timestamp | null;
    schedule_end_at: Timestamp | null;
    started_at: Timestamp | null;
    ended_at: Timestamp | null;
    last_event_at: Timestamp | null;
    current_wave: number | null;
    released: Generated<number>;
    rate_per_minute: number | null;
    pause_reason: string | null;
    abort_reason: string | null;
    estimated_end_at: Timestamp | null;
    estimated_at: Timestamp | null;
  };
  campaign_devices: {
    campaign_id: string;
    device_id: string;
    decision: string | null;
    decision_detail: string | null;
    status: string;
    detail: string | null;
    cause: string | null;
    attempt: number | null;
    cell_id: string | null;
    decided_at: Timestamp | null;
    finished_at: Timestamp | null;
  };
  campaign_audit: {
    campaign_id: string;
    command_id: string;
    command_type: string | null;
    principal: string | null;
    device_ids: number | null;
    issued_at: Timestamp | null;
    outcome: string | null;
    reason: string | null;
    answered_at: Timestamp | null;
  };
  pilot_success: {
    make: string;
    model: string;
    target_version: string;
    campaign_id: string;
    accepted: number;
    succeeded: number;
    failed: number;
    rate: number;
    gate_open: boolean;
    updated_at: Timestamp;
  };
  cell_utilisation: {
    cell_id: string;
    cell_limit: number;
    in_use: number;
    waiting: number;
    peak_in_use: number;
    grants: ColumnType<string, string | number, string | number>;
    last_change_at: Timestamp;
  };
  device_checkins: {
    device_id: string;
    checked_in_at: Timestamp;
    protocol: string;
    make: string;
    model: string;
    firmware_version: string;
    software_version: string;
    client_type: string;
    fota_capable: boolean;
    connected: boolean;
    cell_id: string | null;
    rsrp: number | null;
    sinr: number | null;
  };
  verbose_logging: {
    device_id: string;
    enabled_at: Timestamp;
    state: VerboseEvent['type'];
    auto_off_at: Timestamp;
    collecting_since: Timestamp | null;
    off_at: Timestamp | null;
    fetchable_at: Timestamp | null;
    purge_at: Timestamp;
    updated_at: Timestamp;
  };
}

export function createDatabase(url: string, max = 5): Kysely<Database> {
  // TCP keepalive finds a peer that vanished without closing the connection.
  const pool = new pg.Pool({ connectionString: url, max, keepAlive: true });
  // A connection that dies (the database restarts, the network drops) fails the query using it, or
  // the next query finds the database unavailable: callers see and retry that. Left unhandled, the
  // 'error' event of an idle connection (on the pool) or of a checked-out one (on its client) would
  // end the process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Applies pending migrations; a failed one stops the start with its name (and the database's error as the cause). */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? error}`, { cause: error });
  return (results ?? []).map((r) => r.migrationName);
}
