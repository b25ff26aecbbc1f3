import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { InvalidMessage } from './actor.ts';
import { errorKind, Unavailable } from './errors.ts';
import type { Logger } from './logger.ts';
import { maskUrlValue } from './redact.ts';
import { registryRequest, type RegistryConfig } from './registry-client.ts';
import { retryTransient, type RetryOptions } from './retry.ts';
import { projectRoot, type TopicNames, type TopicSpec } from './topics.ts';

/**
 * Encoding and decoding run synchronously on the hot path: writer schemas are fetched
 * from the registry once per unseen schema id, before a batch is decoded (`prepare`).
 */
export interface TopicCodec {
  prepare(values: readonly (Buffer | null)[]): Promise<void>;
  /** Throws InvalidMessage naming what is wrong. */
  decode(value: Buffer | null): unknown;
  encode(value: unknown): Buffer;
}

const MAGIC = 0;

export function readSchemaFile(path: string): avro.Schema {
  return JSON.parse(readFileSync(join(projectRoot, path), 'utf8')) as avro.Schema;
}

export function subjectOf(topicName: string): string {
  return `${topicName}-value`;
}

/** Avro in the Confluent wire format, reader schema = this build's .avsc. */
export class AvroCodec implements TopicCodec {
  readonly topic: string;
  readonly writerId: number;
  readonly #registry: SchemaRegistry;
  readonly #reader: avro.Type;
  readonly #resolvers = new Map<number, avro.Resolver | 'same'>();
  /** Schema ids this topic's records may not use, with the reason. */
  readonly #refused = new Map<number, string>();
  readonly #wait: RegistryWait;
  constructor(topic: string, schema: avro.Schema, writerId: number, registry: SchemaRegistry, wait: RegistryWait) {
    this.topic = topic;
    this.writerId = writerId;
    this.#registry = registry;
    this.#wait = wait;
    this.#reader = avro.Type.forSchema(schema);
    // This build's own schema needs no lookup: records it wrote decode at once.
    this.#resolvers.set(writerId, 'same');
  }

  async prepare(values: readonly (Buffer | null)[]): Promise<void> {
    for (const v of values) {
      if (!v || v.length < 5 || v[0] !== MAGIC) continue;
      const id = v.readInt32BE(1);
      if (this.#resolvers.has(id) || this.#refused.has(id)) continue;
      const resolved = await retryTransient(`${this.#wait.registry} for schema id ${id}`, () => this.#resolve(id), this.#wait);
      if (typeof resolved === 'string') this.#refused.set(id, resolved);
      else this.#resolvers.set(id, resolved);
    }
  }

  /**
   * A writer schema this topic's reader can take: registered under the topic's own subject (an id
   * of another topic's subject could decode into nonsense that happens to fit), and resolvable.
   * Returns why not otherwise: the records that use it are dead letters.
   */
  async #resolve(id: number): Promise<avro.Resolver | string> {
    const subject = subjectOf(this.topic);
    const subjects = await subjectsOfSchemaId(this.#wait.connection, id);
    if (subjects === undefined) return `schema id ${id} is not known to the registry`;
    if (!subjects.includes(subject)) {
      const named = subjects.slice(0, 3).map((s) => `"${s}"`).join(', ') + (subjects.length > 3 ? ` and ${subjects.length - 3} more` : '');
      return `schema id ${id} is registered under ${named || 'no subject'}, not under "${subject}"`;
    }
    const writer = (await this.#registry.getSchema(id)) as unknown as avro.Type;
    try {
      return this.#reader.createResolver(writer);
    } catch (e) {
      return `schema id ${id} of "${subject}" cannot be read with this build's schema: ${(e as Error).message}`;
    }
  }

  decode(value: Buffer | null): unknown {
    if (!value) throw new InvalidMessage(`${this.topic}: empty value (tombstone) where a record is expected`);
    if (value.length < 5 || value[0] !== MAGIC) {
      throw new InvalidMessage(`${this.topic}: not in the schema-registry wire format (magic byte 0 + 4-byte schema id)`);
    }
    const id = value.readInt32BE(1);
    const resolver = this.#resolvers.get(id);
    if (!resolver) throw new InvalidMessage(`${this.topic}: ${this.#refused.get(id) ?? `schema id ${id} was not looked up (prepare first)`}`);
    try {
      const body = value.subarray(5);
      return resolver === 'same' ? this.#reader.fromBuffer(body) : this.#reader.fromBuffer(body, resolver);
    } catch (e) {
      throw new InvalidMessage(`${this.topic}: Avro body does not decode with schema id ${id}: ${(e as Error).message}`);
    }
  }

  encode(value: unknown): Buffer {
    const paths: string[] = [];
    if (!this.#reader.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') })) {
      throw new Error(`${this.topic}: value does not match its schema at ${paths.join(', ')}`);
    }
    const header = Buffer.alloc(5);
    header.writeInt32BE(this.writerId, 1);
    return Buffer.concat([header, this.#reader.toBuffer(value)]);
  }
}

/** Internal topics carry JSON: they are ours alone and change with the code. */
export class JsonCodec implements TopicCodec {
  readonly topic: string;
  constructor(topic: string) {
    this.topic = topic;
  }
  async prepare(): Promise<void> {}
  decode(value: Buffer | null): unknown {
    if (!value) throw new InvalidMessage(`${this.topic}: empty value where a JSON record is expected`);
    try {
      return JSON.parse(value.toString('utf8'));
    } catch (e) {
      throw new InvalidMessage(`${this.topic}: value is not JSON: ${(e as Error).message}`);
    }
  }
  encode(value: unknown): Buffer {
    return Buffer.from(JSON.stringify(value));
  }
}

/** How codecs wait for a registry that is unreachable or failing: `registry` names it in the log lines. */
interface RegistryWait extends RetryOptions {
  readonly registry: string;
  readonly connection: RegistryConfig;
}

/**
 * The subjects a schema id is registered under (Confluent API `GET /schemas/ids/{id}/versions`,
 * which @kafkajs/confluent-schema-registry does not wrap); undefined for an id the registry does
 * not know. An unreachable or failing registry is Unavailable.
 */
async function subjectsOfSchemaId(registry: RegistryConfig, id: number): Promise<string[] | undefined> {
  let response: { status: number; body: string };
  try {
    response = await registryRequest(registry, `/schemas/ids/${id}/versions`);
  } catch (e) {
    throw new Unavailable(`the schema registry did not answer: ${(e as Error).message}`, { cause: e });
  }
  if (response.status === 404) return undefined;
  if (response.status < 200 || response.status > 299) throw new Unavailable(`the schema registry answered ${response.status} for schema id ${id}`);
  return (JSON.parse(response.body) as { subject: string }[]).map((v) => v.subject);
}

/**
 * Builds the codecs of the given topics. For Avro topics the local schema must already
 * be registered under the topic's subject (scripts/schemas does that); a service whose
 * schema is missing or differs refuses to start, naming the subject. An unreachable or
 * failing registry is waited for, at start and when a batch brings an unseen schema id,
 * with a warn line per attempt naming `registryUrl` (its password masked).
 */
export async function createCodecs(
  ids: readonly string[],
  names: TopicNames,
  registry: SchemaRegistry,
  options: { readonly log: Logger; readonly registry: RegistryConfig },
): Promise<ReadonlyMap<string, TopicCodec>> {
  const connection = options.registry;
  const wait: RegistryWait = { log: options.log, isTransient: (e) => errorKind(e) === 'transient', registry: `the schema registry at ${maskUrlValue(connection.registryUrl)}`, connection };
  const codecs = new Map<string, TopicCodec>();
  for (const id of new Set(ids)) {
    const spec: TopicSpec = names.spec(id);
    const name = names.name(id);
    if (spec.value.format === 'avro') {
      const schema = readSchemaFile(spec.value.schema);
      let writerId: number;
      try {
        const registered = () => registry.getRegistryIdBySchema(subjectOf(name), { type: SchemaType.AVRO, schema: JSON.stringify(schema) });
        writerId = await retryTransient(wait.registry, registered, wait);
      } catch (e) {
        throw new Error(
          `schema ${spec.value.schema} is not registered under subject "${subjectOf(name)}" (run scripts/schemas): ${(e as Error).message}`,
        );
      }
      codecs.set(id, new AvroCodec(name, schema, writerId, registry, wait));
    } else {
      codecs.set(id, new JsonCodec(name));
    }
  }
  return codecs;
}
