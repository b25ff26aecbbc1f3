import type { GroupConsumer, InMessage, RunOptions } from '../../services/runtime/kafka/port.ts';

export interface PartitionRecords {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InMessage[];
}

const RESTART_AFTER_MS = 1_000;

/**
 * Runs a consumer of the test harness (recorders, the fleet simulator) through broker outages.
 * The client starts a consumer again after a retriable crash; kafkajs does not after the others an
 * outage causes too (kafkajs#1445: "Failed to find group coordinator" while the broker is away): those
 * start it again here, a second later, until it is stopped. Delivery stays at least once (a
 * batch whose offsets could not be committed comes again), so `handle` is given only the records
 * of each partition past those it has already handled. Returns the stop.
 */
export async function consumeThroughOutages(consumer: GroupConsumer, handle: (records: PartitionRecords) => Promise<void>, options: Omit<RunOptions, 'eachBatch'> = {}): Promise<() => Promise<void>> {
  const handledTo = new Map<string, bigint>();
  const config: RunOptions = {
    ...options,
    eachBatch: async ({ batch }) => {
      const key = `${batch.topic}:${batch.partition}`;
      const from = handledTo.get(key) ?? -1n;
      const messages = batch.messages.filter((m) => BigInt(m.offset) >= from);
      if (messages.length === 0) return;
      await handle({ topic: batch.topic, partition: batch.partition, messages });
      handledTo.set(key, BigInt(messages.at(-1)!.offset) + 1n);
    },
  };
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  const runAgain = async () => {
    if (stopped) return;
    try {
      await consumer.connect();
      await consumer.run(config);
    } catch {
      restart = setTimeout(runAgain, RESTART_AFTER_MS);
    }
  };
  consumer.on('crash', (crash) => {
    if (!crash.restart && !stopped) restart = setTimeout(runAgain, RESTART_AFTER_MS);
  });
  await consumer.run(config);
  return async () => {
    stopped = true;
    clearTimeout(restart);
    await consumer.disconnect();
  };
}
