import { createKafka } from '../runtime/bootstrap.ts';
import { createCodecs, createRegistry } from '../runtime/codec.ts';
import { createLogger } from '../runtime/logger.ts';
import { loadTopicSpecs, TopicNames } from '../runtime/topics.ts';
import { parseProjectorConfig } from './config.ts';
import { createDatabase, migrate } from './database.ts';
import { startCheckinRetention } from './device-checkins/retention.ts';
import { projections } from './projections.ts';
import { startProjection } from './sink.ts';

const config = parseProjectorConfig(process.env);
const logger = createLogger('projector', config.logLevel).child({ instance: config.instanceId });
const db = createDatabase(config.databaseUrl);
const running: { stop(): Promise<void> }[] = [];
try {
  await migrate(db);
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, `otaflow-projector-${config.instanceId}`);
  const codecs = await createCodecs(projections.flatMap((p) => p.topics), names, createRegistry(config.registryUrl));
  // Each projection is its own group: joining them one after another would add up their rebalances.
  await Promise.all(projections.map(async (p) => running.push(await startProjection(p, { kafka, db, names, codecs, logger, now: () => config.clock.now(), maxClockSkewMs: config.maxClockSkewMs }))));
  running.push(startCheckinRetention({ db, clock: config.clock, logger, retentionDays: config.checkinRetentionDays, everyMs: config.retentionSweepMs }));
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
