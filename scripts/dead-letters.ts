/**
 * npm run dead-letters -- [--follow] [--json] [topic ...]
 * Prints the dead letters of every dead-letter topic (or of the named source topics or their
 * `.dlq`), one line each: when, where the record came from, which service refused it, the kind of
 * error and the reason; then a count per source topic and kind. Reads to the current end and
 * exits, or with --follow keeps printing new ones until Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { stopSignal } from '../services/runtime/bootstrap.ts';
import { createKafka } from '../services/runtime/kafka/client.ts';
import type { Headers } from '../services/runtime/kafka/port.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { deadLetterHeaders } from '../services/runtime/dead-letter.ts';
import { createLogger } from '../services/runtime/logger.ts';
import { loadTopicSpecs, TopicNames } from '../services/runtime/topics.ts';
import { partitionEnds } from '../services/projector/partition-ends.ts';

const { values: options, positionals } = parseArgs({
  options: { follow: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const config = parseRuntimeConfig(process.env);
const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
const dlqIds = [...names.specs.values()].filter((s) => s.deadLetter).map((s) => s.deadLetter!);
if (options.help) {
  console.log(`usage: npm run dead-letters -- [--follow] [--json] [topic ...]\ntopics (source or dead-letter): ${dlqIds.join(', ')}`);
  process.exit(0);
}
const chosen = positionals.length === 0 ? dlqIds : positionals.map((t) => names.specs.get(t)?.deadLetter ?? (dlqIds.includes(t) ? t : undefined));
if (chosen.includes(undefined)) {
  console.error(`dead-letters: unknown topic among ${positionals.join(', ')}; topics: ${dlqIds.join(', ')}`);
  process.exit(2);
}
const topics = (chosen as string[]).map((id) => names.name(id));

const header = (headers: Headers | undefined, name: string) => headers?.[name]?.toString() ?? '';
const shown = (key: Buffer | null) => (key === null ? 'null' : JSON.stringify(key.length > 64 ? `${key.subarray(0, 64).toString()}…` : key.toString()));

const logger = createLogger('dead-letters', config.logLevel === 'info' ? 'warn' : config.logLevel, { secrets: config.secrets });
const kafka = createKafka(config, logger, `otaflow-dead-letters-${config.instanceId}`);
const admin = kafka.admin();
await admin.connect();
const groupId = `${config.topicPrefix}otaflow.dead-letters.${randomUUID()}`;
const pending = new Map((await partitionEnds(admin, topics)).filter((e) => e.high > e.low).map((e) => [`${e.topic}:${e.partition}`, e.high]));
const counts = new Map<string, number>();
const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 200 });
let done!: () => void;
const finished = new Promise<void>((resolve) => (done = resolve));
if (pending.size === 0 && !options.follow) done();
// Dead letters are written in transactions: a partition's end is a commit marker, which reaches no
// handler but is reported here.
consumer.on('batchEnd', ({ topic, partition, lastOffset }) => {
  const key = `${topic}:${partition}`;
  const end = pending.get(key);
  if (end === undefined || BigInt(lastOffset) + 1n < end) return;
  pending.delete(key);
  if (pending.size === 0 && !options.follow) done();
});
await consumer.connect();
for (const topic of topics) await consumer.subscribe(topic, { fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch: { topic, messages } }) => {
    for (const m of messages) {
      const h = (name: string) => header(m.headers, name);
      const letter = {
        at: new Date(Number(m.timestamp)).toISOString(),
        deadLetterTopic: topic,
        source: { topic: h(deadLetterHeaders.topic), partition: Number(h(deadLetterHeaders.partition)), offset: h(deadLetterHeaders.offset) },
        service: h(deadLetterHeaders.service),
        kind: h(deadLetterHeaders.kind) || 'invalid',
        key: m.key?.toString() ?? null,
        reason: h(deadLetterHeaders.reason),
      };
      const source = `${letter.source.topic}[${letter.source.partition}]@${letter.source.offset}`;
      counts.set(`${letter.source.topic} ${letter.kind}`, (counts.get(`${letter.source.topic} ${letter.kind}`) ?? 0) + 1);
      console.log(options.json ? JSON.stringify({ ...letter, key: letter.key?.slice(0, 64) ?? null }) : `${letter.at} ${source} ${letter.service} ${letter.kind} key=${shown(m.key)} ${letter.reason}`);
    }
  },
});
await Promise.race([finished, stopSignal()]);
await consumer.disconnect();
await admin.deleteGroups([groupId]).catch(() => undefined);
await admin.disconnect();
if (!options.json) {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`dead-letters: ${total} in ${topics.length} topics${total ? `: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`);
}
