import type { OutMessage } from '../../services/runtime/kafka/port.ts';
import type { Output } from '../../services/runtime/actor.ts';
import { AvroCodec, JsonCodec, readSchemaFile, type TopicCodec } from '../../services/runtime/codec.ts';
import { createRegistry } from '../../services/runtime/registry-client.ts';
import { Defect } from '../../services/runtime/errors.ts';
import { createLogger } from '../../services/runtime/logger.ts';
import { loadTopicSpecs, type TopicSpec } from '../../services/runtime/topics.ts';

/** The schema id every in-memory Avro record carries: this build's .avsc is the only writer. */
const WRITER_ID = 1;

// Never called: records written with WRITER_ID need no lookup, and no other id is ever written.
const NO_REGISTRY = { registryUrl: 'http://no-registry.invalid', registry: { authorization: undefined, tls: undefined } };
const noRegistryWait = { log: createLogger('memory-codecs', 'silent'), isTransient: () => false, registry: 'no schema registry (in-memory codecs)', connection: NO_REGISTRY };

/**
 * The runtime's own codecs for every topic of topics/, with no broker or registry: Avro topics
 * through AvroCodec with this build's .avsc, JSON topics through JsonCodec. A value its schema
 * refuses fails to encode, and bytes that are not a record fail to decode, as in production.
 */
function memoryCodecs(specs: ReadonlyMap<string, TopicSpec>): ReadonlyMap<string, TopicCodec> {
  const codecs = new Map<string, TopicCodec>();
  for (const spec of specs.values()) {
    if (spec.value.format === 'avro') codecs.set(spec.id, new AvroCodec(spec.name, readSchemaFile(spec.value.schema), WRITER_ID, createRegistry(NO_REGISTRY), noRegistryWait));
    else if (spec.value.format === 'json') codecs.set(spec.id, new JsonCodec(spec.name));
  }
  return codecs;
}

let loadedSpecs: ReadonlyMap<string, TopicSpec> | undefined;
let builtCodecs: ReadonlyMap<string, TopicCodec> | undefined;

/** topics/ read once for the whole test process. */
export const sharedTopicSpecs = (): ReadonlyMap<string, TopicSpec> => (loadedSpecs ??= loadTopicSpecs());

/** One set of codecs for the whole test process: they keep no state between records. */
export const sharedMemoryCodecs = (): ReadonlyMap<string, TopicCodec> => (builtCodecs ??= memoryCodecs(sharedTopicSpecs()));

/**
 * One actor output as the runtime encodes it (services/runtime/service.ts encodeOutput): to a
 * declared topic only, when `declared` is given; a value that does not encode is a Defect.
 * The record is tagged with the topic id, not a physical name.
 */
export function encodeOutput(codecs: ReadonlyMap<string, TopicCodec>, o: Output, declared?: ReadonlySet<string>): readonly [string, OutMessage] {
  if (declared && !declared.has(o.topic)) throw new Defect(`output to undeclared topic ${o.topic}`);
  const codec = codecs.get(o.topic);
  if (!codec) throw new Defect(`output to ${o.topic}, a topic with no codec (not in topics/, or not avro or json)`);
  try {
    return [o.topic, { key: o.key, value: codec.encode(o.value) }];
  } catch (e) {
    throw new Defect(`output to ${o.topic} does not encode: ${(e as Error).message}`);
  }
}
