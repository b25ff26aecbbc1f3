import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '../../services/runtime/kafka/port.ts';

/** One offset commit as the group coordinator wrote it. */
export interface GroupCommit {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** The committed offset: the next record the group will read. */
  readonly offset: bigint;
  /** When the coordinator stored it (its record's timestamp). */
  readonly at: number;
}

const OFFSETS_TOPIC = '__consumer_offsets';

/**
 * Watches the offset commits of consumer groups from outside, in the broker's own log of them
 * (`__consumer_offsets`, one record per committed partition, stamped by the group coordinator;
 * a transaction's offsets appear once it commits). Nothing in the services is asked or
 * instrumented. Reads the commits made at or after `since` until `done` holds for them or
 * `timeoutMs` has passed, and returns them: the caller judges what is missing.
 */
export async function watchCommits(kafka: KafkaClient, since: number, done: (commits: readonly GroupCommit[]) => boolean, timeoutMs: number): Promise<GroupCommit[]> {
  const groupId = `otaflow-commit-watch-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setGroupOffsets(groupId, OFFSETS_TOPIC, await admin.topicOffsetsAt(OFFSETS_TOPIC, since));
  } finally {
    await admin.disconnect();
  }
  const commits: GroupCommit[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe(OFFSETS_TOPIC);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const commit = decodeCommit(m.key, m.value, Number(m.timestamp));
          if (commit && commit.at >= since) commits.push(commit);
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done(commits) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return commits;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Kafka's OffsetCommitKey (versions 0 and 1: group, topic, partition) and OffsetCommitValue
 * (version, then the offset); other keys are group metadata, a null value deletes an offset.
 */
function decodeCommit(key: Buffer | null, value: Buffer | null, at: number): GroupCommit | undefined {
  if (!key || !value || key.readInt16BE(0) > 1) return undefined;
  let pos = 2;
  const text = () => {
    const length = key.readInt16BE(pos);
    const s = key.toString('utf8', pos + 2, pos + 2 + length);
    pos += 2 + length;
    return s;
  };
  const group = text();
  const topic = text();
  return { group, topic, partition: key.readInt32BE(pos), offset: value.readBigInt64BE(2), at };
}
