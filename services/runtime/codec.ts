import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { InvalidMessage } from './actor.ts';
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
  constructor(topic: string, schema: avro.Schema, writerId: number, registry: SchemaRegistry) {
    this.topic = topic;
    this.writerId = writerId;
    this.#registry = registry;
    this.#reader = avro.Type.forSchema(schema);
  }

  async prepare(values: readonly (Buffer | null)[]): Promise<void> {
    for (const v of values) {
      if (!v || v.length < 5 || v[0] !== MAGIC) continue;
      const id = v.readInt32BE(1);
      if (this.#resolvers.has(id)) continue;
      if (id === this.writerId) {
        this.#resolvers.set(id, 'same');
        continue;
      }
      try {
        const writer = (await this.#registry.getSchema(id)) as unknown as avro.Type;
        this.#resolvers.set(id, this.#reader.createResolver(writer));
      } catch (e) {
        // An id the registry does not know is the message's fault, found again at decode.
        if (!isNotFound(e)) throw e;
      }
    }
  }

  decode(value: Buffer | null): unknown {
    if (!value) throw new InvalidMessage(`${this.topic}: empty value (tombstone) where a record is expected`);
    if (value.length < 5 || value[0] !== MAGIC) {
      throw new InvalidMessage(`${this.topic}: not in the schema-registry wire format (magic byte 0 + 4-byte schema id)`);
    }
    const id = value.readInt32BE(1);
    const resolver = this.#resolvers.get(id);
    if (!resolver) throw new InvalidMessage(`${this.topic}: schema id ${id} is not known to the registry`);
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

function isNotFound(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  return status === 404 || /not found/i.test(String((e as Error).message));
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

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 5 } });
}

/**
 * Builds the codecs of the given topics. For Avro topics the local schema must already
 * be registered under the topic's subject (scripts/schemas does that); a service whose
 * schema is missing or differs refuses to start, naming the subject.
 */
export async function createCodecs(
  ids: readonly string[],
  names: TopicNames,
  registry: SchemaRegistry,
): Promise<ReadonlyMap<string, TopicCodec>> {
  const codecs = new Map<string, TopicCodec>();
  for (const id of new Set(ids)) {
    const spec: TopicSpec = names.spec(id);
    const name = names.name(id);
    if (spec.value.format === 'avro') {
      const schema = readSchemaFile(spec.value.schema);
      let writerId: number;
      try {
        writerId = await registry.getRegistryIdBySchema(subjectOf(name), { type: SchemaType.AVRO, schema: JSON.stringify(schema) });
      } catch (e) {
        throw new Error(
          `schema ${spec.value.schema} is not registered under subject "${subjectOf(name)}" (run scripts/schemas): ${(e as Error).message}`,
        );
      }
      codecs.set(id, new AvroCodec(name, schema, writerId, registry));
    } else {
      codecs.set(id, new JsonCodec(name));
    }
  }
  return codecs;
}
