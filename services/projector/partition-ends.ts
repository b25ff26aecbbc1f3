import type { Admin } from '../runtime/kafka/port.ts';
import type { RunningProjection } from './sink.ts';

export interface PartitionEnd {
  readonly topic: string;
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/** The first and next offsets of every partition of the topics, now. */
export async function partitionEnds(admin: Admin, topics: readonly string[]): Promise<PartitionEnd[]> {
  const ends: PartitionEnd[] = [];
  for (const topic of topics) {
    for (const o of await admin.topicOffsets(topic)) ends.push({ topic, ...o });
  }
  return ends;
}

/** True once the running projection has settled (committed or skipped as markers) every record below the ends of its partitions among them. */
export function hasReadTo(running: RunningProjection, ends: readonly PartitionEnd[]): boolean {
  const positions = running.positions();
  return ends.every((e) => e.high === e.low || (positions.get(`${e.topic}:${e.partition}`) ?? -1n) >= e.high);
}
