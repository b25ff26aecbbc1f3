import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders } from 'kafkajs';
import type { Topology } from './topology.ts';

export interface Recorded<T> {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly raw: Buffer | null;
  readonly headers: IHeaders;
}

/** Reads a topic from the beginning (committed records only), decoding with its codec. */
export class TopicRecorder<T = unknown> {
  readonly records: Recorded<T>[] = [];
  readonly #consumer: Consumer;
  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start<T>(t: Topology, topicId: string): Promise<TopicRecorder<T>> {
    const consumer = t.kafka.consumer({ groupId: `${t.prefix}recorder-${randomUUID()}`, maxWaitTimeInMs: 50 });
    const recorder = new TopicRecorder<T>(consumer);
    const spec = t.names.spec(topicId);
    const codec = spec.value.format === 'bytes' ? undefined : t.codecs.get(topicId);
    await consumer.connect();
    await consumer.subscribe({ topic: t.names.name(topicId), fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await codec?.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          recorder.records.push({
            partition: batch.partition,
            offset: m.offset,
            key: m.key?.toString() ?? null,
            value: (codec ? codec.decode(m.value) : m.value) as T,
            raw: m.value,
            headers: m.headers ?? {},
          });
        }
      },
    });
    return recorder;
  }

  values(): T[] {
    return this.records.map((r) => r.value);
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
