/**
 * node scripts/bench-transactions.ts <per-partition|per-instance> [rounds]: the cost of the
 * transactional producers a service instance holds, on the driver OTAFLOW_KAFKA_DRIVER names.
 * A group member owns PARTITIONS input partitions; each of BATCHES rounds commits, per partition,
 * RECORDS outputs and the partition's next offset:
 * - per-partition: one transactional id per partition (otaflow's tasks today), the partitions'
 *   transactions concurrent;
 * - per-instance: one transactional id for the instance (KIP-447: the group generation fences a
 *   former owner, so the id need not), one transaction per round for every partition.
 * Prints one JSON line per run: records/s and transaction latency. Per-instance needs KIP-447 to
 * be safe: on kafkajs it measures only what it would cost.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createKafka } from '../services/runtime/kafka/client.ts';
import type { KafkaClient, OutMessage } from '../services/runtime/kafka/port.ts';

const PARTITIONS = 6;
const BATCHES = 60;
const RECORDS = 100;

const mode = process.argv[2];
if (mode !== 'per-partition' && mode !== 'per-instance') throw new Error('usage: node scripts/bench-transactions.ts per-partition|per-instance [rounds]');
const rounds = Number(process.argv[3] ?? 1);
const config = parseRuntimeConfig(process.env);
const kafka = createKafka(config, undefined, 'otaflow-bench-transactions');

for (let round = 0; round < rounds; round++) console.log(JSON.stringify(await run(kafka, mode)));

async function run(kafka: KafkaClient, mode: 'per-partition' | 'per-instance') {
  const id = `bench-transactions-${randomUUID().slice(0, 8)}`;
  const [input, output, groupId] = [`${id}.in`, `${id}.out`, `${id}.group`];
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([input, output].map((topic) => ({ topic, numPartitions: PARTITIONS, configs: {} })));
  const consumer = kafka.consumer({ groupId, coPartitioned: true, maxWaitTimeMs: 100 });
  const joined = new Promise<void>((resolve) => consumer.on('join', () => resolve()));
  await consumer.connect();
  await consumer.subscribe(input, { fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  await joined;
  const value = Buffer.alloc(100, 1);
  const outputs = (partition: number): OutMessage[] => Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value, partition }));
  const offsets = (partitions: number[], round: number) => partitions.map((partition) => ({ topic: input, partition, offset: String(round + 1) }));
  const latencies: number[] = [];
  const commits = async (transactionalId: string, partitions: number[]) => {
    const producer = kafka.transactionalProducer({ transactionalId, transactionTimeoutMs: 30_000 });
    await producer.fence();
    for (let round = 0; round < BATCHES; round++) {
      const began = performance.now();
      await producer.inTransaction(async (tx) => {
        await tx.send({ topic: output, messages: partitions.flatMap(outputs) });
        await tx.sendOffsets(consumer, offsets(partitions, round));
      });
      latencies.push(performance.now() - began);
    }
    await producer.disconnect();
  };
  const all = Array.from({ length: PARTITIONS }, (_, p) => p);
  const began = performance.now();
  if (mode === 'per-partition') await Promise.all(all.map((p) => commits(`${groupId}.task-${p}`, [p])));
  else await commits(`${groupId}.instance`, all);
  const ms = performance.now() - began;
  await consumer.disconnect();
  await admin.deleteTopics([input, output]);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  const records = PARTITIONS * BATCHES * RECORDS;
  return { driver: config.kafkaDriver, mode, records, transactions: latencies.length, ms: Math.round(ms), recordsPerSecond: Math.round((records / ms) * 1000), p50Ms: at(0.5), p90Ms: at(0.9), maxMs: at(1), load1: loadavg()[0]!.toFixed(2) };
}
