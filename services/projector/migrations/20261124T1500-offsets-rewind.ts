import type { Kysely } from 'kysely';

/**
 * A rebuild resets a projection's offsets and marks them `rewind`: a consumer already past
 * the reset offset seeks back to it instead of carrying on (sink.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_offsets').addColumn('rewind', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_offsets').dropColumn('rewind').execute();
}
