/** Creates the topics declared in topics/ that are missing, brings retention and size limits to their declared values; fails on any other difference. */
import { provisionTopics } from '../services/ops/provision.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createLogger } from '../services/runtime/logger.ts';

const config = parseRuntimeConfig(process.env);
try {
  console.log(await provisionTopics(config, createLogger('topics', config.logLevel)));
} catch (e) {
  console.error(`topics: ${(e as Error).message}`);
  process.exitCode = 1;
}
