import type { Kysely } from 'kysely';

/**
 * campaigns gets its rollout (R-SAFE-1..4) and its completion estimate (R-SAFE-6): the wave in
 * progress, devices released, the start rate in force, why it is paused or was aborted, and
 * the latest estimate with when it was made.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('current_wave', 'integer')
    .addColumn('released', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_per_minute', 'integer')
    .addColumn('pause_reason', 'text')
    .addColumn('abort_reason', 'text')
    .addColumn('estimated_end_at', 'timestamptz')
    .addColumn('estimated_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .dropColumn('current_wave')
    .dropColumn('released')
    .dropColumn('rate_per_minute')
    .dropColumn('pause_reason')
    .dropColumn('abort_reason')
    .dropColumn('estimated_end_at')
    .dropColumn('estimated_at')
    .execute();
}
