/** Creates the topics declared in topics/ that are missing, brings retention and size limits to their declared values; fails on any other difference. */
import { createKafka } from '../services/runtime/bootstrap.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createLogger } from '../services/runtime/logger.ts';
import { ensureTopics } from '../services/runtime/provision.ts';
import { loadTopicSpecs, TopicNames } from '../services/runtime/topics.ts';

const config = parseRuntimeConfig(process.env);
const admin = createKafka(config, createLogger('topics', config.logLevel), 'otaflow-topics').admin();
try {
  await admin.connect();
  const { created, existing, altered } = await ensureTopics(admin, new TopicNames(loadTopicSpecs(), config.topicPrefix));
  console.log(`topics: ${created.length} created, ${existing.length - altered.length} already as declared, ${altered.length} configs brought to their declaration${altered.length ? ` (${altered.join(', ')})` : ''}`);
} catch (e) {
  console.error(`topics: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
}
