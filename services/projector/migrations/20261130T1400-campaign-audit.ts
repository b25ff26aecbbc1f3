import type { Kysely } from 'kysely';

/**
 * campaign_audit (R-SEC-2): one row per campaign command, who issued what and when, and the
 * service's answer. A row may hold only one half for a while: commands and answers are
 * separate topics.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaign_audit')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('command_type', 'text')
    .addColumn('principal', 'text')
    .addColumn('device_ids', 'integer')
    .addColumn('issued_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('answered_at', 'timestamptz')
    .addPrimaryKeyConstraint('campaign_audit_pk', ['campaign_id', 'command_id'])
    .execute();
  await db.schema.createIndex('campaign_audit_principal').on('campaign_audit').columns(['principal', 'issued_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('campaign_audit').execute();
}
