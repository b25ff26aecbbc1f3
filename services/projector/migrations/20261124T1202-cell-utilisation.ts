import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cell_utilisation')
    .addColumn('cell_id', 'text', (c) => c.primaryKey())
    .addColumn('cell_limit', 'integer', (c) => c.notNull())
    .addColumn('in_use', 'integer', (c) => c.notNull())
    .addColumn('waiting', 'integer', (c) => c.notNull())
    .addColumn('peak_in_use', 'integer', (c) => c.notNull())
    .addColumn('grants', 'bigint', (c) => c.notNull())
    .addColumn('last_change_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cell_utilisation').execute();
}
