import { Kafka, logLevel as kafkaLogLevel, type LogEntry } from 'kafkajs';
import { createCodecs, createRegistry } from './codec.ts';
import { parseRuntimeConfig, type Env, type RuntimeConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { startService, type RunningService, type ServiceDefinition } from './service.ts';
import { loadTopicSpecs, TopicNames } from './topics.ts';

export function createKafka(config: RuntimeConfig, logger: Logger, clientId: string): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...config.brokers],
    logLevel: kafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      // kafkajs logs each retry of CONCURRENT_TRANSACTIONS (kafkajs#1315) as an error; it is
      // the broker still finishing the previous commit, and the retry succeeds.
      if (String(extra.error ?? message).includes('concurrent operation on the same transaction')) log.debug(extra, message);
      // Our producers are transactional: a send that gives up aborts its transaction, and the
      // batch is processed again, so bounded retries cannot commit anything twice.
      else if (message.startsWith('Limiting retries for the idempotent producer')) log.debug(extra, message);
      else if (entry.level <= kafkaLogLevel.ERROR) log.error(extra, message);
      else log.warn(extra, message);
    },
  });
}

/**
 * Wires one actor service from the environment and runs it until SIGTERM/SIGINT, when it
 * finishes the batch in hand, commits, and leaves the group.
 */
export async function runServiceMain<S, In>(def: ServiceDefinition<S, In>, env: Env = process.env): Promise<void> {
  const config = parseRuntimeConfig(env);
  const logger = createLogger(def.name, config.logLevel).child({ instance: config.instanceId });
  let service: RunningService | undefined;
  try {
    const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
    const kafka = createKafka(config, logger, `otaflow-${def.name}-${config.instanceId}`);
    const registry = createRegistry(config.registryUrl);
    const codecs = await createCodecs([...Object.keys(def.inputs), ...def.outputs], names, registry);
    service = await startService(def, { kafka, names, codecs, clock: config.clock, maxClockSkewMs: config.maxClockSkewMs, logger });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
  } catch (e) {
    logger.fatal({ err: e }, 'service failed');
    process.exitCode = 1;
  } finally {
    await service?.stop();
  }
}
