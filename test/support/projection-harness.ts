import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { createDatabase, type Database } from '../../services/projector/database.ts';
import type { AnyProjection } from '../../services/projector/projection.ts';
import { projectionGroup, startProjection, type RunningProjection, type SinkDeps } from '../../services/projector/sink.ts';
import { caughtUp } from '../../scripts/lib/kafka.ts';
import { createTopology, type Topology } from '../../scripts/lib/topology.ts';
import { waitFor } from '../../scripts/lib/wait-for.ts';

/** A projection running in-process on a test topology, as the projector runs it. */
export function runProjection(t: Topology, db: Kysely<Database>, projection: AnyProjection, options: Pick<SinkDeps, 'onCommitted' | 'lingerMs'> = {}): Promise<RunningProjection> {
  return startProjection(projection, { kafka: t.kafka, db, names: t.names, codecs: t.codecs, logger: t.logger, now: () => t.config.clock.now(), ...options });
}

/** Waits until the projection has committed everything on its topics (its offsets follow the SQL commits). */
export async function waitProjected(t: Topology, projection: AnyProjection, timeoutMs = 60_000): Promise<void> {
  const group = projectionGroup(t.names, projection);
  await waitFor(`${projection.name} to project its topics`, async () => {
    for (const topic of projection.topics) if (!(await caughtUp(t, group, topic))) return false;
    return true;
  }, timeoutMs, 50);
}

export interface ProjectionSuite {
  readonly t: Topology;
  readonly db: Kysely<Database>;
}

/** A test file's own topology and database; afterwards its rows (ids start with the prefix) and offsets go. */
export function projectionSuite(label: string, table: keyof Database, idColumn: string): ProjectionSuite {
  const suite = {} as { t: Topology; db: Kysely<Database> };
  beforeAll(async () => {
    suite.t = await createTopology(label);
    suite.db = createDatabase(suite.t.config.databaseUrl);
  });
  afterAll(async () => {
    const like = `${suite.t.prefix}%`;
    await sql`delete from ${sql.table(table)} where ${sql.ref(idColumn)} like ${like}`.execute(suite.db);
    await suite.db.deleteFrom('projection_offsets').where('topic', 'like', like).execute();
    await suite.db.destroy();
    await suite.t.dispose();
  });
  return suite;
}

/**
 * The check every projection's integration test makes: projected rows equal the ground truth
 * computed from the same records; then, with the consumer group deleted (Kafka forgets how far
 * it got) the projection reads everything again, and the stored offsets keep the rows unchanged.
 */
export async function expectTruthAndReplaySafe<R>(t: Topology, db: Kysely<Database>, projection: AnyProjection, truth: ReadonlyMap<string, R>, read: () => Promise<Map<string, R>>): Promise<void> {
  const first = await runProjection(t, db, projection);
  await waitProjected(t, projection);
  await first.stop();
  expect(Object.fromEntries(await read())).toEqual(Object.fromEntries(truth));
  const admin = t.kafka.admin();
  await admin.connect();
  await admin.deleteGroups([projectionGroup(t.names, projection)]).finally(() => admin.disconnect());
  const replay = await runProjection(t, db, projection);
  await waitProjected(t, projection);
  await replay.stop();
  expect(Object.fromEntries(await read())).toEqual(Object.fromEntries(truth));
}
