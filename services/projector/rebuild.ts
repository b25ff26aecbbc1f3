import type { Kafka } from 'kafkajs';
import { sql } from 'kysely';
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
export async function rebuildProjection(projection: AnyProjection, deps: SinkDeps & { readonly now: () => number }): Promise<RebuildReport> {
  const started = deps.now();
  const ends = await partitionEnds(deps.kafka, projection.topics.map((id) => deps.names.name(id)));
  const clusterId = await clusterOf(deps.kafka);
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
    const readAll = () => ends.every((e) => e.high === e.low || (replay.positions().get(`${e.topic}:${e.partition}`) ?? -1n) >= e.high);
    while (!readAll()) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await replay.stop();
    const admin = deps.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined).finally(() => admin.disconnect());
  }
  return { projection: projection.name, records: ends.reduce((n, e) => n + Number(e.high - e.low), 0), seconds: (deps.now() - started) / 1000 };
}

interface PartitionEnd {
  readonly topic: string;
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

async function partitionEnds(kafka: Kafka, topics: readonly string[]): Promise<PartitionEnd[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends: PartitionEnd[] = [];
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) });
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

async function clusterOf(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}
