import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaign_devices')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('decision_detail', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('cause', 'text')
    .addColumn('attempt', 'integer')
    .addColumn('cell_id', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('campaign_devices_pk', ['campaign_id', 'device_id'])
    .execute();
  await db.schema.createIndex('campaign_devices_status').on('campaign_devices').columns(['campaign_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('campaign_devices').execute();
}
