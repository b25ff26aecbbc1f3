import { createDatabase, migrate } from '../projector/database.ts';
import { ensureDatabase } from '../projector/ensure-database.ts';
import { createKafka } from '../runtime/kafka/client.ts';
import { createRegistry } from '../runtime/registry-client.ts';
import type { RuntimeConfig } from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import { ensureTopics, registerSchemas } from '../runtime/provision.ts';
import { maskUrlValue } from '../runtime/redact.ts';
import { loadTopicSpecs, TopicNames } from '../runtime/topics.ts';

/**
 * What `npm run topics`, `npm run schemas`, `npm run migrate` and `otaflow run` do before any
 * service starts. Each step is idempotent (so every instance may run it) and refuses, naming
 * what differs, when the cluster has drifted from the declarations. Each returns its summary.
 */

/** Creates the missing declared topics and brings retention and size limits to their declared values. */
export async function provisionTopics(config: RuntimeConfig, logger: Logger): Promise<string> {
  const admin = createKafka(config, logger, 'otaflow-topics').admin();
  try {
    await admin.connect();
    const { created, existing, altered, partitions } = await ensureTopics(admin, new TopicNames(loadTopicSpecs(), config.topicPrefix), config.partitions);
    return `topics: ${created.length} created, ${existing.length - altered.length} already as declared, ${altered.length} configs brought to their declaration${altered.length ? ` (${altered.join(', ')})` : ''}; ${partitions} partitions each`;
  } finally {
    await admin.disconnect();
  }
}

/** Registers the Avro schemas under their topics' subjects (BACKWARD). */
export async function provisionSchemas(config: RuntimeConfig): Promise<string> {
  const ids = await registerSchemas(createRegistry(config), new TopicNames(loadTopicSpecs(), config.topicPrefix));
  return `schemas: ${[...ids].map(([s, id]) => `${s}#${id}`).join(', ')}`;
}

/** Creates the database DATABASE_URL names if it is missing, then applies the projection migrations; one summary line per step. */
export async function provisionDatabase(databaseUrl: string): Promise<string[]> {
  const db = createDatabase(databaseUrl, 1);
  try {
    const created = (await ensureDatabase(databaseUrl)) ? [`migrations: created the database at ${maskUrlValue(databaseUrl)}`] : [];
    const applied = await migrate(db);
    return [...created, applied.length ? `migrations: applied ${applied.join(', ')}` : 'migrations: up to date'];
  } catch (e) {
    throw new Error(`${maskUrlValue(databaseUrl)}: ${(e as Error).message}`, { cause: e });
  } finally {
    await db.destroy();
  }
}
