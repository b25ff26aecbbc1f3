import { sql, type Kysely } from 'kysely';

/** Offsets belong to a Kafka cluster: a rebuilt cluster numbers its records from 0 again. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_offsets').addColumn('cluster_id', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('projection_offsets').dropConstraint('projection_offsets_pk').execute();
  await db.schema.alterTable('projection_offsets').addPrimaryKeyConstraint('projection_offsets_pk', ['projection', 'cluster_id', 'topic', 'partition']).execute();
  await sql`alter table projection_offsets alter column cluster_id drop default`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_offsets').dropConstraint('projection_offsets_pk').execute();
  await db.schema.alterTable('projection_offsets').dropColumn('cluster_id').execute();
  await db.schema.alterTable('projection_offsets').addPrimaryKeyConstraint('projection_offsets_pk', ['projection', 'topic', 'partition']).execute();
}
