import { randomUUID } from 'node:crypto';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createKafka } from '../../services/runtime/kafka/client.ts';
import type { KafkaClient } from '../../services/runtime/kafka/port.ts';
import { createCodecs, type TopicCodec } from '../../services/runtime/codec.ts';
import { createRegistry, registryRequest } from '../../services/runtime/registry-client.ts';
import { parseRuntimeConfig, type RuntimeConfig } from '../../services/runtime/config.ts';
import { createLogger, type Logger } from '../../services/runtime/logger.ts';
import { ensureTopics, registerSchemas } from '../../services/runtime/provision.ts';
import { loadTopicSpecs, TopicNames } from '../../services/runtime/topics.ts';

/** What producing to and reading from existing topics needs: their names, a client, their codecs. */
export type TopicClient = Pick<Topology, 'prefix' | 'names' | 'kafka' | 'codecs'>;

/** A private copy of the whole topic topology under a unique prefix, with its schemas registered. */
export interface Topology {
  readonly prefix: string;
  readonly env: Record<string, string | undefined>;
  readonly config: RuntimeConfig;
  readonly names: TopicNames;
  /** Every topic's partition count (OTAFLOW_PARTITIONS, or what the topics had). */
  readonly partitions: number;
  readonly kafka: KafkaClient;
  readonly registry: SchemaRegistry;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  readonly logger: Logger;
  /** Deletes the topology's topics, consumer groups and schema subjects (tests only). */
  dispose(): Promise<void>;
}

/** `prefix` defaults to a unique one per call, so tests never share topics or groups. */
export async function createTopology(label: string, options: { prefix?: string; env?: Record<string, string> } = {}): Promise<Topology> {
  const prefix = options.prefix ?? `t-${label}-${randomUUID().slice(0, 8)}.`;
  const extraEnv = options.env ?? {};
  const env = { ...process.env, OTAFLOW_LOG_LEVEL: process.env.OTAFLOW_LOG_LEVEL ?? 'warn', ...extraEnv, OTAFLOW_TOPIC_PREFIX: prefix };
  const config = parseRuntimeConfig(env);
  const logger = createLogger(`test-${label}`, config.logLevel);
  const names = new TopicNames(loadTopicSpecs(), prefix);
  const kafka = createKafka(config, logger, `otaflow-test-${label}`);
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number;
  try {
    ({ partitions } = await ensureTopics(admin, names, config.partitions));
  } finally {
    await admin.disconnect();
  }
  const registry = createRegistry(config);
  await registerSchemas(registry, names);
  const ids = [...names.specs.values()].filter((s) => s.value.format !== 'bytes').map((s) => s.id);
  const codecs = await createCodecs(ids, names, registry, { log: logger, registry: config });
  const dispose = async () => {
    if (!prefix) throw new Error('refusing to dispose the unprefixed production topology');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).filter((g) => g.startsWith(prefix));
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
      await admin.deleteTopics([...names.specs.keys()].map((id) => names.name(id)));
    } finally {
      await admin.disconnect();
    }
    for (const spec of names.specs.values()) {
      if (spec.value.format !== 'avro') continue;
      const subject = `/subjects/${encodeURIComponent(`${names.name(spec.id)}-value`)}`;
      await registryRequest(config, subject, { method: 'DELETE' });
      await registryRequest(config, `${subject}?permanent=true`, { method: 'DELETE' });
    }
  };
  return { prefix, env, config, names, partitions, kafka, registry, codecs, logger, dispose };
}

/**
 * The topics of a running otaflow (OTAFLOW_TOPIC_PREFIX of `config`) as they are: nothing is
 * created or registered; a topic whose schema is not registered fails, naming its subject.
 */
export async function connectTopics(config: RuntimeConfig, logger: Logger, clientId: string, topicIds: readonly string[]): Promise<TopicClient> {
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, clientId);
  const codecs = await createCodecs(topicIds, names, createRegistry(config), { log: logger, registry: config });
  return { prefix: config.topicPrefix, names, kafka, codecs };
}
