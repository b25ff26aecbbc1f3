import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Topics are declared as data in topics/*.json, one file per topic; the file name is
 * the topic's logical id. Physical names are the declared name behind the configured
 * prefix, so tests run isolated copies of the whole topology on one broker.
 *
 * Key contract: the message key is the actor key, and partitions come from the
 * Java-compatible murmur2 partitioner (kafka/client.ts partitionOf). Every topic of a topology has the same
 * partition count, chosen when they are created (provision.ts), so partition p of every input
 * belongs to the same task and a dead letter goes to its source record's partition.
 */
export interface TopicSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly config: Readonly<Record<string, string>>;
  readonly key: string;
  readonly value: { readonly format: 'avro'; readonly schema: string } | { readonly format: 'json' } | { readonly format: 'bytes' };
  readonly external: boolean;
  readonly producers: readonly string[];
  readonly consumers: readonly string[];
  /** Logical id of the dead-letter topic for this topic's consumers. */
  readonly deadLetter?: string;
}

export const projectRoot = new URL('../../', import.meta.url).pathname;
const topicsDir = join(projectRoot, 'topics');

export function loadTopicSpecs(dir = topicsDir): ReadonlyMap<string, TopicSpec> {
  const specs = new Map<string, TopicSpec>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const id = file.slice(0, -'.json'.length);
    specs.set(id, validateSpec(id, JSON.parse(readFileSync(join(dir, file), 'utf8'))));
  }
  for (const spec of specs.values()) {
    if (!spec.deadLetter) continue;
    const dlq = specs.get(spec.deadLetter);
    if (!dlq) throw new Error(`topics/${spec.id}.json: dead-letter topic "${spec.deadLetter}" is not declared`);
  }
  return specs;
}

function validateSpec(id: string, raw: Record<string, unknown>): TopicSpec {
  const fail = (what: string): never => {
    throw new Error(`topics/${id}.json: ${what}`);
  };
  if (typeof raw.name !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(raw.name)) fail('"name" must be a topic name');
  if ('partitions' in raw) fail('"partitions" is chosen when the topics are created, the same for all (OTAFLOW_PARTITIONS), not per topic');
  if (typeof raw.key !== 'string') fail('"key" must say what the key is');
  const value = raw.value as TopicSpec['value'] | undefined;
  if (!value || !['avro', 'json', 'bytes'].includes(value.format)) fail('"value.format" must be avro, json or bytes');
  if (value?.format === 'avro' && typeof value.schema !== 'string') fail('"value.schema" must name an .avsc file');
  const config = (raw.config ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(config)) if (typeof v !== 'string') fail(`config "${k}" must be a string`);
  return {
    id,
    name: raw.name as string,
    description: String(raw.description ?? ''),
    config: config as Record<string, string>,
    key: raw.key as string,
    value: value as TopicSpec['value'],
    external: raw.external === true,
    producers: (raw.producers ?? []) as string[],
    consumers: (raw.consumers ?? []) as string[],
    ...(typeof raw.deadLetter === 'string' ? { deadLetter: raw.deadLetter } : {}),
  };
}

/** Logical id ⇄ physical name under one prefix. */
export class TopicNames {
  readonly specs: ReadonlyMap<string, TopicSpec>;
  readonly prefix: string;
  readonly #byName = new Map<string, string>();
  constructor(specs: ReadonlyMap<string, TopicSpec>, prefix: string) {
    this.specs = specs;
    this.prefix = prefix;
    for (const spec of specs.values()) this.#byName.set(prefix + spec.name, spec.id);
  }
  name(id: string): string {
    const spec = this.specs.get(id);
    if (!spec) throw new Error(`unknown topic id "${id}" (not in topics/)`);
    return this.prefix + spec.name;
  }
  spec(id: string): TopicSpec {
    const spec = this.specs.get(id);
    if (!spec) throw new Error(`unknown topic id "${id}" (not in topics/)`);
    return spec;
  }
  idOf(name: string): string {
    const id = this.#byName.get(name);
    if (!id) throw new Error(`topic "${name}" is not declared under prefix "${this.prefix}"`);
    return id;
  }
}
