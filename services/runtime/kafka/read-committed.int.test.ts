import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_DRIVERS, parseRuntimeConfig } from '../config.ts';
import { createKafka } from './client.ts';
import type { KafkaClient } from './port.ts';

/**
 * What a changelog partition held when a cell restore lost two committed transactions on
 * @platformatic/kafka (its read_committed filter kept one aborted range per producer and ended it
 * at the producer's last abort marker): a transaction aborted with records, one committed, one
 * aborted without a record in the partition (it failed after adding the partition), and one
 * committed after it. Only the committed records may be read, and every one of them (R-RES-4).
 */
const MAX_MESSAGE_BYTES = 2048;

describe.each(KAFKA_DRIVERS)('read_committed on the %s driver', (driver) => {
  const config = parseRuntimeConfig({ ...process.env, OTAFLOW_KAFKA_DRIVER: driver });
  const topic = `t-read-committed-${driver}-${randomUUID().slice(0, 8)}`;
  let kafka: KafkaClient;

  beforeAll(async () => {
    kafka = createKafka(config, undefined, `otaflow-test-read-committed-${driver}`);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic, numPartitions: 1, configs: { 'max.message.bytes': String(MAX_MESSAGE_BYTES) } }]);
    await admin.disconnect();
    const producer = kafka.transactionalProducer({ transactionalId: `${topic}.tx`, transactionTimeoutMs: 30_000 });
    await producer.fence();
    const inTransaction = (values: string[], fail?: string) =>
      producer.inTransaction(async (tx) => {
        await tx.send({ topic, messages: values.map((value) => ({ key: 'k', value, partition: 0 })) });
        if (fail) throw new Error(fail);
      });
    await expect(inTransaction(['aborted-1', 'aborted-2'], 'abort with records')).rejects.toThrow('abort with records');
    await inTransaction(['committed-1', 'committed-2']);
    // The broker refuses the record after the partition joined the transaction: its abort marker is the partition's only trace of it.
    await expect(inTransaction(['x'.repeat(MAX_MESSAGE_BYTES * 2)])).rejects.toThrow();
    await inTransaction(['committed-3']);
    await producer.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics([topic]);
    await admin.disconnect();
  });

  it('R-RES-4: a restore reads every committed record and no aborted one, around an abort that left no record', async () => {
    const read: string[] = [];
    await kafka.readToEnd(topic, { groupPrefix: `${topic}-reader-`, eachBatch: (batch) => void read.push(...batch.messages.map((m) => m.value!.toString())) });
    expect(read).toEqual(['committed-1', 'committed-2', 'committed-3']);
  });

  it('R-RES-4: a group member reads every committed record and no aborted one, around an abort that left no record', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const high = (await admin.topicOffsets(topic))[0]!.high;
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeMs: 50 });
    const read: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.connect();
    await consumer.subscribe(topic, { fromBeginning: true });
    consumer.on('batchEnd', (end) => {
      if (BigInt(end.lastOffset) >= high - 1n) done();
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        read.push(...batch.messages.map((m) => m.value!.toString()));
      },
    });
    await all;
    await consumer.disconnect();
    expect(read).toEqual(['committed-1', 'committed-2', 'committed-3']);
  });
});
