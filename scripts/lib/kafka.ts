import type { KafkaClient } from '../../services/runtime/kafka/port.ts';
import { sendChunks } from '../../services/runtime/send-chunks.ts';
import type { TopicClient } from './topology.ts';

/** True once the group has committed offsets at the end of every partition of the topic. */
export async function caughtUp(t: TopicClient, groupId: string, topicId: string): Promise<boolean> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const topic = t.names.name(topicId);
    const ends = await admin.topicOffsets(topic);
    const committed = await admin.groupOffsets(groupId, [topic]);
    return ends.every((e) => {
      const c = committed.find((p) => p.partition === e.partition)?.offset ?? -1n;
      return e.high === e.low || c >= e.high;
    });
  } finally {
    await admin.disconnect();
  }
}

/** Sends records to a topic of the topology; a record's partition is its key's unless it names one. */
export async function produce(t: TopicClient, topicId: string, messages: { key: string | Buffer; value: Buffer | string | null; partition?: number }[]): Promise<void> {
  const producer = t.kafka.producer();
  await producer.connect();
  try {
    for (const chunk of sendChunks(messages)) await producer.send({ topic: t.names.name(topicId), messages: chunk });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Commits a new consumer group's offsets at the topic's current end, so that it reads only
 * what is written from now on, however long the topic's history.
 */
export async function startGroupAtEnd(kafka: KafkaClient, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.topicOffsets(topic);
    await admin.setGroupOffsets(groupId, topic, ends.map((e) => ({ partition: e.partition, offset: e.high })));
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a consumer group that has no members left (best effort: a group still in use stays). */
export async function deleteGroup(kafka: KafkaClient, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
