import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Declared in lifecycle order: enum comparison then orders two events of one session at the same instant.
  await db.schema.createType('verbose_logging_state').asEnum(['enabled', 'collecting', 'off', 'purged']).execute();
  await db.schema
    .createTable('verbose_logging')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('enabled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', sql`verbose_logging_state`, (c) => c.notNull())
    .addColumn('auto_off_at', 'timestamptz', (c) => c.notNull())
    .addColumn('collecting_since', 'timestamptz')
    .addColumn('off_at', 'timestamptz')
    .addColumn('fetchable_at', 'timestamptz')
    .addColumn('purge_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('verbose_logging_pk', ['device_id', 'enabled_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('verbose_logging').execute();
  await db.schema.dropType('verbose_logging_state').execute();
}
