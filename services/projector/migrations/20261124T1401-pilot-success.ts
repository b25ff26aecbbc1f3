import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pilot_success')
    .addColumn('make', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('target_version', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('accepted', 'integer', (c) => c.notNull())
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('rate', 'double precision', (c) => c.notNull())
    .addColumn('gate_open', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('pilot_success_pk', ['make', 'model', 'target_version', 'campaign_id'])
    .execute();
  // R-PILOT-2: once open, a gate stays open, so it is open if any event said so.
  await sql`create view pilot_gates as
    select make, model, target_version, bool_or(gate_open) as gate_open, count(*) as pilots, max(rate) as best_rate, max(updated_at) as updated_at
    from pilot_success group by make, model, target_version`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view pilot_gates`.execute(db);
  await db.schema.dropTable('pilot_success').execute();
}
