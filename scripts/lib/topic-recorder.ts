import { randomUUID } from 'node:crypto';
import type { Headers } from '../../services/runtime/kafka/port.ts';
import { consumeThroughOutages } from './consume-through-outages.ts';
import { deleteGroup, startGroupAtEnd } from './kafka.ts';
import type { TopicClient } from './topology.ts';

export interface Recorded<T> {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly raw: Buffer | null;
  readonly headers: Headers;
}

export interface RecorderOptions<T> {
  /**
   * `beginning` (default) reads the whole topic; `now` only what is written after the recorder
   * started: on the shared, unprefixed topics earlier runs' records are not this run's.
   */
  readonly from?: 'beginning' | 'now';
  /** Keeps only the records this returns true for (e.g. one campaign's). */
  readonly keep?: (record: Recorded<T>) => boolean;
}

/** Reads a topic (committed records only, each once, through broker outages), decoding with its codec. */
export class TopicRecorder<T = unknown> {
  readonly records: Recorded<T>[] = [];
  #stop: () => Promise<void> = async () => undefined;

  static async start<T>(t: TopicClient, topicId: string, options: RecorderOptions<T> = {}): Promise<TopicRecorder<T>> {
    const groupId = `${t.prefix}recorder-${randomUUID()}`;
    const topic = t.names.name(topicId);
    if (options.from === 'now') await startGroupAtEnd(t.kafka, groupId, topic);
    const consumer = t.kafka.consumer({ groupId, maxWaitTimeMs: 50 });
    const recorder = new TopicRecorder<T>();
    const spec = t.names.spec(topicId);
    const codec = spec.value.format === 'bytes' ? undefined : t.codecs.get(topicId);
    await consumer.connect();
    await consumer.subscribe(topic, { fromBeginning: true });
    const stopConsuming = await consumeThroughOutages(consumer, async (batch) => {
      await codec?.prepare(batch.messages.map((m) => m.value));
      for (const m of batch.messages) {
        const record: Recorded<T> = {
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString() ?? null,
          value: (codec ? codec.decode(m.value) : m.value) as T,
          raw: m.value,
          headers: m.headers ?? {},
        };
        if (!options.keep || options.keep(record)) recorder.records.push(record);
      }
    });
    recorder.#stop = async () => {
      await stopConsuming();
      await deleteGroup(t.kafka, groupId);
    };
    return recorder;
  }

  values(): T[] {
    return this.records.map((r) => r.value);
  }

  /** Leaves the group and deletes it: recorders leave nothing behind on the broker. */
  async stop(): Promise<void> {
    await this.#stop();
  }
}
