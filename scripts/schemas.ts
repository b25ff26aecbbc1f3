/** Registers the Avro schemas in schemas/ under their topics' subjects (BACKWARD). */
import { createRegistry } from '../services/runtime/codec.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { registerSchemas } from '../services/runtime/provision.ts';
import { loadTopicSpecs, TopicNames } from '../services/runtime/topics.ts';

const config = parseRuntimeConfig(process.env);
try {
  const ids = await registerSchemas(createRegistry(config.registryUrl), new TopicNames(loadTopicSpecs(), config.topicPrefix));
  console.log(`schemas: ${[...ids].map(([s, id]) => `${s}#${id}`).join(', ')}`);
} catch (e) {
  console.error(`schemas: ${(e as Error).message}`);
  process.exitCode = 1;
}
