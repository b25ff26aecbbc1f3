import { sql } from 'kysely';
import { hasReadTo, partitionEnds } from './partition-ends.ts';
import type { AnyProjection } from './projection.ts';
import { projectionGroup, startProjection, type SinkDeps } from './sink.ts';

export interface RebuildReport {
  readonly projection: string;
  /** Records on the projection's topics when the rebuild started. */
  readonly records: number;
  readonly seconds: number;
}

/**
 * Drops a projection's rows and folds its topics into it again, in place, while the live
 * projector may keep running. One transaction empties the tables and resets every offset to
 * the partition's start, so a live consumer already past it seeks back (sink.ts); this command
 * replays under a group of its own until it has read everything that was on the topics when it
 * started. Both may write: the stored offsets let every record in exactly once.
 */
export async function rebuildProjection(projection: AnyProjection, deps: SinkDeps): Promise<RebuildReport> {
  const started = deps.now();
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const ends = await partitionEnds(admin, projection.topics.map((id) => deps.names.name(id)));
    const clusterId = await admin.clusterId();
    await deps.db.transaction().execute(async (trx) => {
      // Waits out writes in flight and holds new ones: rows a writer inserted after the clear's
      // snapshot would survive it and be counted again by the replay.
      await sql`lock table projection_offsets in exclusive mode`.execute(trx);
      await projection.clear(trx);
      await trx.deleteFrom('projection_offsets').where('projection', '=', projection.name).execute();
      await trx
        .insertInto('projection_offsets')
        .values(ends.map((e) => ({ projection: projection.name, cluster_id: clusterId, topic: e.topic, partition: e.partition, next_offset: e.low.toString() })))
        .execute();
    });
    const groupId = `${projectionGroup(deps.names, projection)}.rebuild-${started}`;
    const replay = await startProjection(projection, { ...deps, groupId });
    try {
      while (!hasReadTo(replay, ends)) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await replay.stop();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return { projection: projection.name, records: ends.reduce((n, e) => n + Number(e.high - e.low), 0), seconds: (deps.now() - started) / 1000 };
  } finally {
    await admin.disconnect();
  }
}
