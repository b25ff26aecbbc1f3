import { createKafka, stopSignal, untilStopped } from '../runtime/bootstrap.ts';
import { createCodecs, createRegistry } from '../runtime/codec.ts';
import { createLogger } from '../runtime/logger.ts';
import { supervise } from '../runtime/supervise.ts';
import { loadTopicSpecs, TopicNames } from '../runtime/topics.ts';
import { parseProjectorConfig } from './config.ts';
import { createDatabase, migrate } from './database.ts';
import { DatabaseRetry } from './db-retry.ts';
import { startCheckinRetention } from './device-checkins/retention.ts';
import { projections } from './projections.ts';
import { startProjection } from './sink.ts';

const config = parseProjectorConfig(process.env);
const logger = createLogger('projector', config.logLevel, { secrets: config.secrets }).child({ instance: config.instanceId });
const db = createDatabase(config.databaseUrl);
// One for the process: an outage is logged once, however many projections wait for the database.
const databaseRetry = new DatabaseRetry(logger);
const stopped = stopSignal();
let retention: { stop(): Promise<void> } | undefined;
try {
  await untilStopped(databaseRetry.run('migrations', () => migrate(db), { failures: 'throw' }), stopped);
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, `otaflow-projector-${config.instanceId}`);
  const codecs = await untilStopped(createCodecs(projections.flatMap((p) => p.topics), names, createRegistry(config.registryUrl), { log: logger, registryUrl: config.registryUrl }), stopped);
  const deps = { kafka, db, names, codecs, logger, now: () => config.clock.now(), maxClockSkewMs: config.maxClockSkewMs, databaseRetry };
  retention = startCheckinRetention({ db, clock: config.clock, logger, retentionDays: config.checkinRetentionDays, everyMs: config.retentionSweepMs });
  // Each projection is its own group, started together: one after another would add up their rebalances.
  await Promise.all(projections.map((p) => supervise(`projection ${p.name}`, () => startProjection(p, deps), { log: logger.child({ projection: p.name }), stopped })));
} catch (e) {
  logger.fatal({ err: e }, 'projector failed');
  process.exitCode = 1;
} finally {
  await retention?.stop();
  await db.destroy();
  // After a failed start the other projections still run, and after an outage kafkajs may leak a
  // broker connection: neither may keep the process alive.
  process.exit();
}
