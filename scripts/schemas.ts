/** Registers the Avro schemas in schemas/ under their topics' subjects (BACKWARD). */
import { provisionSchemas } from '../services/ops/provision.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';

try {
  console.log(await provisionSchemas(parseRuntimeConfig(process.env)));
} catch (e) {
  console.error(`schemas: ${(e as Error).message}`);
  process.exitCode = 1;
}
