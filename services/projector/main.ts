import { collectDefaultMetrics, Registry } from 'prom-client';
import type { OpsServer } from '../ops/http-server.ts';
import { databaseCheck, groupCheck, registryCheck } from '../ops/readiness.ts';
import { startOptionalOpsServer, stopSignal, untilStopped } from '../runtime/bootstrap.ts';
import { createKafka } from '../runtime/kafka/client.ts';
import { createCodecs } from '../runtime/codec.ts';
import { createRegistry } from '../runtime/registry-client.ts';
import { createLogger } from '../runtime/logger.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { supervise } from '../runtime/supervise.ts';
import { loadTopicSpecs, TopicNames } from '../runtime/topics.ts';
import { parseProjectorConfig } from './config.ts';
import { createDatabase, migrate } from './database.ts';
import { DatabaseRetry } from './db-retry.ts';
import { startCheckinRetention } from './device-checkins/retention.ts';
import { createProjectorMetrics, observeCommitted } from './projector-metrics.ts';
import { projections } from './projections.ts';
import { startProjection, type RunningProjection } from './sink.ts';

const config = parseProjectorConfig(process.env);
const logger = createLogger('projector', config.logLevel, { secrets: config.secrets }).child({ instance: config.instanceId });
const db = createDatabase(config.databaseUrl);
// One for the process: an outage is logged once, however many projections wait for the database.
const databaseRetry = new DatabaseRetry(logger);
const stopped = stopSignal();
const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
const metrics = createProjectorMetrics(metricsRegistry, createRuntimeMetrics(metricsRegistry));
const running = new Map<string, RunningProjection>();
let ops: OpsServer | undefined;
let retention: { stop(): Promise<void> } | undefined;
try {
  ops = await startOptionalOpsServer(config, logger, {
    registry: metricsRegistry,
    ready: async () => ({
      ...Object.fromEntries(projections.map((p) => [`projection ${p.name}`, groupCheck(running.get(p.name)?.readiness())])),
      database: await databaseCheck(db),
      registry: await registryCheck(config),
    }),
  });
  await untilStopped(databaseRetry.run('migrations', () => migrate(db), { failures: 'throw' }), stopped);
  const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
  const kafka = createKafka(config, logger, `otaflow-projector-${config.instanceId}`);
  const codecs = await untilStopped(createCodecs(projections.flatMap((p) => p.topics), names, createRegistry(config), { log: logger, registry: config }), stopped);
  const onCommitted = (projection: string, timestamps: readonly number[]) => observeCommitted(metrics, projection, timestamps);
  const deps = { kafka, db, names, codecs, logger, now: () => config.clock.now(), maxClockSkewMs: config.maxClockSkewMs, databaseRetry, metrics, onCommitted };
  retention = startCheckinRetention({ db, clock: config.clock, logger, retentionDays: config.checkinRetentionDays, everyMs: config.retentionSweepMs });
  // Each projection is its own group, started together: one after another would add up their rebalances.
  await Promise.all(
    projections.map((p) =>
      supervise(
        `projection ${p.name}`,
        async () => {
          const projection = await startProjection(p, deps);
          running.set(p.name, projection);
          return projection;
        },
        { log: logger.child({ projection: p.name }), stopped },
      ),
    ),
  );
} catch (e) {
  logger.fatal({ err: e }, 'projector failed');
  process.exitCode = 1;
} finally {
  await retention?.stop();
  await ops?.close();
  await db.destroy();
  // After a failed start the other projections still run, and after an outage kafkajs may leak a
  // broker connection: neither may keep the process alive.
  process.exit();
}
