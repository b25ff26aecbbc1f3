import { Partitioners } from 'kafkajs';
import { sendChunks } from '../../services/runtime/send-chunks.ts';
import type { Topology } from './topology.ts';

/** True once the group has committed offsets at the end of every partition of the topic. */
export async function caughtUp(t: Topology, groupId: string, topicId: string): Promise<boolean> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const topic = t.names.name(topicId);
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => {
      const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1';
      return BigInt(e.high) === BigInt(e.low) || BigInt(c) >= BigInt(e.high);
    });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(t: Topology, topicId: string, messages: { key: string; value: Buffer | string | null }[]): Promise<void> {
  const producer = t.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const chunk of sendChunks(messages)) await producer.send({ topic: t.names.name(topicId), messages: chunk });
  } finally {
    await producer.disconnect();
  }
}
