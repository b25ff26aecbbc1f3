import { Partitioners, type Kafka } from 'kafkajs';
import { sql, type Kysely } from 'kysely';
import type { TopicCodec } from '../runtime/codec.ts';
import { deadLetter } from '../runtime/dead-letter.ts';
import type { Logger } from '../runtime/logger.ts';
import type { TopicNames } from '../runtime/topics.ts';
import type { Database } from './database.ts';
import type { Projection } from './projection.ts';

export interface SinkDeps {
  readonly kafka: Kafka;
  readonly db: Kysely<Database>;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly logger: Logger;
}

/**
 * Runs one projection as its own consumer group. Exactly once in effect: each batch's
 * rows and the next offset of its (projection, cluster, topic, partition) are written in
 * one SQL transaction, and records below the stored offset are skipped, so a replay after
 * a crash (Kafka's own commit lags behind) changes nothing. The cluster id is part of the
 * key because a rebuilt cluster numbers the same topic's records from 0 again.
 */
export async function startProjection<E>(projection: Projection<E>, deps: SinkDeps): Promise<{ stop(): Promise<void> }> {
  const { kafka, db, names, codecs } = deps;
  const log = deps.logger.child({ projection: projection.name });
  const byName = new Map(projection.topics.map((id) => [names.name(id), id]));
  const admin = kafka.admin();
  await admin.connect();
  const clusterId = await admin.describeCluster().then((c) => c.clusterId).finally(() => admin.disconnect());
  const dlqProducer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await dlqProducer.connect();
  const consumer = kafka.consumer({ groupId: `${names.prefix}otaflow.projector.${projection.name}`, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  for (const topic of byName.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const id = byName.get(batch.topic)!;
      const codec = codecs.get(id)!;
      await codec.prepare(batch.messages.map((m) => m.value));
      const last = batch.messages.at(-1);
      if (!last) return;
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('projection_offsets')
          .select('next_offset')
          .where('projection', '=', projection.name)
          .where('cluster_id', '=', clusterId)
          .where('topic', '=', batch.topic)
          .where('partition', '=', batch.partition)
          .forUpdate()
          .executeTakeFirst();
        const from = BigInt(row?.next_offset ?? '0');
        const events: E[] = [];
        const dead = [];
        for (const m of batch.messages) {
          if (BigInt(m.offset) < from) continue;
          try {
            const event = projection.parse(id, codec.decode(m.value), m.key?.toString() ?? '');
            if (!projection.filter || projection.filter(event)) events.push(event);
          } catch (e) {
            const reason = `projector ${projection.name}: ${(e as Error).message}`;
            dead.push(deadLetter({ service: 'projector', topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers }, reason));
            log.warn({ partition: batch.partition, offset: m.offset, reason }, 'dead-lettered');
          }
        }
        if (BigInt(last.offset) < from) return;
        // Dead letters go out before the offset moves past them: at least once, never lost.
        if (dead.length > 0) await dlqProducer.send({ topic: names.name(names.spec(id).deadLetter!), messages: dead });
        if (events.length > 0) await projection.apply(trx, events);
        await trx
          .insertInto('projection_offsets')
          .values({ projection: projection.name, cluster_id: clusterId, topic: batch.topic, partition: batch.partition, next_offset: (BigInt(last.offset) + 1n).toString() })
          .onConflict((oc) => oc.columns(['projection', 'cluster_id', 'topic', 'partition']).doUpdateSet({ next_offset: (eb) => eb.ref('excluded.next_offset'), updated_at: sql`now()` }))
          .execute();
      });
      resolveOffset(last.offset);
      await heartbeat();
    },
  });
  log.info({ topics: [...byName.keys()] }, 'projection started');
  return {
    async stop() {
      await consumer.disconnect();
      await dlqProducer.disconnect();
    },
  };
}
