import { SchemaType, COMPATIBILITY, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin } from './kafka/port.ts';
import { readSchemaFile, subjectOf } from './codec.ts';
import { DEFAULT_PARTITIONS } from './config.ts';
import type { TopicNames } from './topics.ts';

/** Configs that change no record's place or life in a way a consumer could notice: applied to existing topics. */
const ALTERABLE_CONFIGS: ReadonlySet<string> = new Set(['retention.ms', 'max.message.bytes', 'segment.bytes']);

/**
 * Creates the declared topics that are missing, all with one partition count: `partitions`
 * (OTAFLOW_PARTITIONS), or when unset that of the topics that exist, or DEFAULT_PARTITIONS for a
 * new topology. An existing topic whose partition count or declared config differs is an error
 * naming both values: changing partitions would move keys between tasks, a cleanup policy would
 * compact or delete records, so neither is done silently. Only ALTERABLE_CONFIGS are brought to
 * their declared value.
 */
export async function ensureTopics(admin: Admin, names: TopicNames, partitions?: number): Promise<{ created: string[]; existing: string[]; altered: string[]; partitions: number }> {
  const wanted = [...names.specs.values()].map((spec) => ({ spec, name: names.name(spec.id) }));
  const present = new Set(await admin.listTopics());
  const existing = wanted.filter((w) => present.has(w.name));
  const counts = existing.length > 0 ? await admin.partitionCounts(existing.map((e) => e.name)) : new Map<string, number>();
  const found = [...new Set(counts.values())];
  if (partitions === undefined ? found.length > 1 : found.some((n) => n !== partitions)) {
    const wantedCount = partitions === undefined ? 'one partition count' : `OTAFLOW_PARTITIONS=${partitions}`;
    const each = [...counts].map(([name, n]) => `${name}: ${n}`).join('\n  ');
    throw new Error(`existing topics do not have ${wantedCount} (a changed count would move keys between shards: keep the existing count, or provision under a new OTAFLOW_TOPIC_PREFIX):\n  ${each}`);
  }
  const count = partitions ?? found[0] ?? DEFAULT_PARTITIONS;
  const problems: string[] = [];
  const missing = wanted.filter((w) => !present.has(w.name));
  if (missing.length > 0) {
    // Leaders are awaited by waitUntilServed below: a fresh broker can list a leader, or not know
    // the partition yet, before it serves it.
    await admin.createTopics(missing.map(({ spec, name }) => ({ topic: name, numPartitions: count, configs: spec.config })));
  }
  await waitUntilServed(admin, missing.map((m) => m.name));
  const altered: string[] = [];
  if (existing.length > 0) {
    const configs = await admin.topicConfigs(existing.map((e) => ({ topic: e.name, names: Object.keys(e.spec.config) })));
    for (const { spec, name } of existing) {
      const entries = configs.get(name);
      let alter = false;
      for (const [k, v] of Object.entries(spec.config)) {
        const got = entries?.get(k);
        if (got === v) continue;
        if (ALTERABLE_CONFIGS.has(k)) alter = true;
        else problems.push(`${name}: config ${k} is "${got}", topics/${spec.id}.json declares "${v}"`);
      }
      if (alter) altered.push(name);
    }
  }
  if (problems.length > 0) throw new Error(`existing topics differ from their declarations:\n  ${problems.join('\n  ')}`);
  // Incremental (KIP-339) would leave undeclared configs alone; kafkajs only has the legacy call,
  // which replaces the topic's overrides, so every declared config is sent along.
  if (altered.length > 0) await admin.replaceTopicConfigs(altered.map((name) => ({ topic: name, configs: names.spec(names.idOf(name)).config })));
  return { created: missing.map((m) => m.name), existing: existing.map((e) => e.name), altered, partitions: count };
}

/**
 * A broker lists a new topic's leaders before it serves them (KRaft loads the partitions
 * asynchronously): until then produce and list-offsets answer NOT_LEADER. Provisioning is
 * done when every new partition answers a list-offsets request.
 */
async function waitUntilServed(admin: Admin, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      try {
        await admin.topicOffsets(topic);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`topic ${topic} was created but its partitions are not served after ${timeoutMs} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

/** Registers every Avro value schema under its TopicNameStrategy subject, BACKWARD compatible. */
export async function registerSchemas(registry: SchemaRegistry, names: TopicNames): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const spec of names.specs.values()) {
    if (spec.value.format !== 'avro') continue;
    const subject = subjectOf(names.name(spec.id));
    const schema = JSON.stringify(readSchemaFile(spec.value.schema));
    try {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject, compatibility: COMPATIBILITY.BACKWARD });
      ids.set(subject, id);
    } catch (e) {
      throw new Error(`registering ${spec.value.schema} under subject "${subject}" failed: ${(e as Error).message}`);
    }
  }
  return ids;
}
