import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_checkins')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', 'timestamptz', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('make', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('firmware_version', 'text', (c) => c.notNull())
    .addColumn('software_version', 'text', (c) => c.notNull())
    .addColumn('client_type', 'text', (c) => c.notNull())
    .addColumn('fota_capable', 'boolean', (c) => c.notNull())
    .addColumn('connected', 'boolean', (c) => c.notNull())
    .addColumn('cell_id', 'text')
    .addColumn('rsrp', 'double precision')
    .addColumn('sinr', 'double precision')
    // Also serves a device's history newest first, read backwards.
    .addPrimaryKeyConstraint('device_checkins_pk', ['device_id', 'checked_in_at'])
    .execute();
  // The retention sweep finds expired rows across all devices by time alone.
  await db.schema.createIndex('device_checkins_checked_in_at').on('device_checkins').column('checked_in_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_checkins').execute();
}
