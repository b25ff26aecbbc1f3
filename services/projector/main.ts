import { createKafka } from '../runtime/bootstrap.ts';
import { createCodecs, createRegistry } from '../runtime/codec.ts';
import { parseRuntimeConfig } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { loadTopicSpecs, TopicNames } from '../runtime/topics.ts';
import { createDatabase, migrate } from './database.ts';
import { projections } from './projections.ts';
import { startProjection } from './sink.ts';

const config = parseRuntimeConfig(process.env);
const logger = createLogger('projector', config.logLevel).child({ instance: config.instanceId });
const db = createDatabase(config.databaseUrl);
const running: { stop(): Promise<void> }[] = [];
try {
  await migrate(db);
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, `otaflow-projector-${config.instanceId}`);
  const codecs = await createCodecs(projections.flatMap((p) => p.topics), names, createRegistry(config.registryUrl));
  for (const p of projections) running.push(await startProjection(p, { kafka, db, names, codecs, logger }));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
} catch (e) {
  logger.fatal({ err: e }, 'projector failed');
  process.exitCode = 1;
} finally {
  for (const r of running) await r.stop();
  await db.destroy();
}
