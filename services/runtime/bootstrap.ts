import { collectDefaultMetrics, Registry } from 'prom-client';
import { startOpsServer, type OpsEndpoints, type OpsServer } from '../ops/http-server.ts';
import { groupCheck, registryCheck } from '../ops/readiness.ts';
import { createCodecs } from './codec.ts';
import { createRegistry } from './registry-client.ts';
import { parseRuntimeConfig, type Env, type RuntimeConfig } from './config.ts';
import { createKafka } from './kafka/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { createRuntimeMetrics } from './metrics.ts';
import { startService, type RunningService, type ServiceDefinition } from './service.ts';
import { supervise } from './supervise.ts';
import { loadTopicSpecs, TopicNames } from './topics.ts';

/** Settles on the first SIGTERM or SIGINT. */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
}

export interface ServiceMainOptions<S> {
  /** Default process.env. */
  readonly env?: Env;
  /** Registers the service's own gauges on the process's metrics registry, read from its actors' states. */
  readonly gauges?: (registry: Registry, states: () => Iterable<S>) => void;
  /** The service's own secrets (its config's), masked in every log line beside the runtime's (R-SEC-3). */
  readonly secrets?: readonly string[];
  /** What the service's own configuration leaves open, logged at start. */
  readonly warnings?: readonly string[];
}

/**
 * Wires one actor service from the environment and runs it until SIGTERM/SIGINT, when it
 * finishes the batch in hand, commits, and leaves the group. A service that stops making
 * progress is started again in the same process (supervise.ts); only a start that cannot
 * succeed (configuration, schemas, topics) ends the process, with exit code 1. With
 * OTAFLOW_HTTP_PORT it serves /livez, /readyz and /metrics from the start on.
 */
export async function runServiceMain<S, In>(def: ServiceDefinition<S, In>, options: ServiceMainOptions<S> = {}): Promise<void> {
  const config = parseRuntimeConfig(options.env ?? process.env);
  const logger = createLogger(def.name, config.logLevel, { secrets: [...config.secrets, ...(options.secrets ?? [])] }).child({ instance: config.instanceId });
  for (const warning of options.warnings ?? []) logger.warn(warning);
  const stopped = stopSignal();
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const metrics = createRuntimeMetrics(metricsRegistry);
  let running: RunningService<S> | undefined;
  options.gauges?.(metricsRegistry, () => running?.states() ?? []);
  let ops: OpsServer | undefined;
  try {
    ops = await startOptionalOpsServer(config, logger, {
      registry: metricsRegistry,
      ready: async () => ({ group: groupCheck(running?.readiness()), registry: await registryCheck(config) }),
    });
    const names = new TopicNames(loadTopicSpecs(), config.topicPrefix);
    const kafka = createKafka(config, logger, `otaflow-${def.name}-${config.instanceId}`);
    const registry = createRegistry(config);
    const codecs = await untilStopped(createCodecs([...Object.keys(def.inputs), ...def.outputs, ...(def.tables ?? []).map((t) => t.topic)], names, registry, { log: logger, registry: config }), stopped);
    const deps = { kafka, names, codecs, clock: config.clock, maxClockSkewMs: config.maxClockSkewMs, logger, metrics };
    await supervise(`the ${def.name} service`, async () => (running = await startService(def, deps)), { log: logger, stopped });
  } catch (e) {
    logger.fatal({ err: e }, 'service failed');
    process.exitCode = 1;
  }
  await ops?.close();
  // Everything is committed and the group left; a broker connection a client may leak after an
  // outage (kafkajs' seed-broker reconnect races) must not keep the process alive.
  process.exit();
}

/** /livez, /readyz and /metrics on OTAFLOW_HTTP_PORT; none when it is unset or 0. */
export function startOptionalOpsServer(config: RuntimeConfig, logger: Logger, endpoints: OpsEndpoints): Promise<OpsServer | undefined> {
  return config.httpPort ? startOpsServer(config.httpPort, endpoints, logger.child({ component: 'http' })) : Promise.resolve(undefined);
}

/**
 * What `work` gives, or, when a stop comes first, the end of the process: a start still waiting
 * for a dependency has nothing to finish or commit, and its retries would keep it alive.
 */
export async function untilStopped<T>(work: Promise<T>, stopped: Promise<void>): Promise<T> {
  const result = await Promise.race([work.then((value) => ({ value })), stopped.then(() => undefined)]);
  if (!result) process.exit(0);
  return result.value;
}
