/**
 * npm run rebuild -- <projection> [<projection> ...] | --all
 * Drops the named projections' rows and folds their topics into them again (see
 * services/projector/rebuild.ts); the projector may keep running meanwhile.
 */
import { createKafka } from '../services/runtime/kafka/client.ts';
import { createCodecs } from '../services/runtime/codec.ts';
import { createRegistry } from '../services/runtime/registry-client.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createLogger } from '../services/runtime/logger.ts';
import { loadTopicSpecs, TopicNames } from '../services/runtime/topics.ts';
import { createDatabase, migrate } from '../services/projector/database.ts';
import { projectionNamed, projections } from '../services/projector/projections.ts';
import { rebuildProjection } from '../services/projector/rebuild.ts';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error(`usage: npm run rebuild -- <projection> ... | --all   (projections: ${projections.map((p) => p.name).join(', ')})`);
  process.exit(2);
}
let chosen;
try {
  chosen = args.includes('--all') ? projections : args.map(projectionNamed);
} catch (e) {
  console.error(`rebuild: ${(e as Error).message}`);
  process.exit(2);
}
const config = parseRuntimeConfig(process.env);
const logger = createLogger('rebuild', config.logLevel, { secrets: config.secrets });
const db = createDatabase(config.databaseUrl);
try {
  await migrate(db);
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, `otaflow-rebuild-${config.instanceId}`);
  const codecs = await createCodecs(chosen.flatMap((p) => p.topics), names, createRegistry(config), { log: logger, registry: config });
  for (const projection of chosen) {
    const r = await rebuildProjection(projection, { kafka, db, names, codecs, logger, now: () => config.clock.now(), maxClockSkewMs: config.maxClockSkewMs });
    console.log(`rebuild: ${r.projection}: ${r.records} records read again in ${r.seconds.toFixed(1)} s`);
  }
} catch (e) {
  console.error(`rebuild: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
