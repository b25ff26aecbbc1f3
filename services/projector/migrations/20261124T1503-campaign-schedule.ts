import { sql, type Kysely } from 'kysely';

/** campaigns gets the requested schedule and a count of cancelled/aborted devices; a view counts devices per status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('schedule_kind', 'text')
    .addColumn('schedule_start_at', 'timestamptz')
    .addColumn('schedule_end_at', 'timestamptz')
    .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create view campaign_device_statuses as
    select campaign_id, status, count(*) as devices from campaign_devices group by campaign_id, status`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view campaign_device_statuses`.execute(db);
  await db.schema.alterTable('campaigns').dropColumn('schedule_kind').dropColumn('schedule_start_at').dropColumn('schedule_end_at').dropColumn('cancelled').execute();
}
