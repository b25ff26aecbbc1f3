import { DEFAULT_MAX_CLOCK_SKEW_MS } from './actor.ts';
import { parseClock, type Clock } from './clock.ts';
import { maskUrlValue, urlPasswords } from './redact.ts';
import { parseKafkaSecurity, parseRegistryTransport, type KafkaSecurity, type RegistryTransport } from './transport.ts';

/**
 * The settings every service shares, parsed once at start. Each option names its
 * environment variable and default; a bad value fails the start with that name.
 */
export interface RuntimeConfig {
  /** OTAFLOW_KAFKA_BROKERS, comma-separated host:port (default localhost:9092). */
  readonly brokers: readonly string[];
  /** R-SEC-3: TLS and SASL to the brokers (OTAFLOW_KAFKA_SECURITY_PROTOCOL, OTAFLOW_KAFKA_SSL_*, OTAFLOW_KAFKA_SASL_*; services/runtime/transport.ts). */
  readonly kafkaSecurity: KafkaSecurity;
  /** OTAFLOW_KAFKA_DRIVER: the Kafka client behind the port (services/runtime/kafka/port.ts); default kafkajs (or platformatic). */
  readonly kafkaDriver: KafkaDriver;
  /** OTAFLOW_REGISTRY_URL, Confluent-compatible API (default http://localhost:8081/apis/ccompat/v7). */
  readonly registryUrl: string;
  /** R-SEC-3: the registry's credentials and TLS files (OTAFLOW_REGISTRY_USERNAME/PASSWORD/TOKEN, OTAFLOW_REGISTRY_SSL_*). */
  readonly registry: RegistryTransport;
  /** DATABASE_URL (default postgres://postgres@127.0.0.1:5432/otaflow). */
  readonly databaseUrl: string;
  /** OTAFLOW_TOPIC_PREFIX, prepended to every topic name; tests use a unique one (default ""). */
  readonly topicPrefix: string;
  /**
   * OTAFLOW_PARTITIONS: the partition count of every topic, chosen when the topics are created;
   * one service runs on at most this many instances. Unset: that of the existing topics, or
   * DEFAULT_PARTITIONS for new ones. Set and different from existing topics: provisioning refuses.
   */
  readonly partitions: number | undefined;
  /** OTAFLOW_CLOCK: "system" or an accelerated clock spec (default system). */
  readonly clock: Clock;
  /** OTAFLOW_LOG_LEVEL (default info). */
  readonly logLevel: string;
  /** OTAFLOW_INSTANCE_ID, names this process in logs and client ids (default hostname-pid). */
  readonly instanceId: string;
  /** OTAFLOW_MAX_CLOCK_SKEW_MS: how far ahead of the clock an input's timestamp may be (default 300000, 5 minutes). */
  readonly maxClockSkewMs: number;
  /**
   * OTAFLOW_HTTP_PORT: where /livez, /readyz and /metrics are served; absent or 0 serves none.
   * `otaflow run` reads it as its base port (default 9400): it serves there itself and gives the
   * services base+1.. (services/ops/ports.ts).
   */
  readonly httpPort: number | undefined;
  /** Values no log line may show (R-SEC-3): the passwords in DATABASE_URL and OTAFLOW_REGISTRY_URL, the Kafka and registry passwords, tokens and keys. */
  readonly secrets: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

export const KAFKA_DRIVERS = ['kafkajs', 'platformatic'] as const;
export type KafkaDriver = (typeof KAFKA_DRIVERS)[number];

/**
 * Sized for growth: a service can scale out to 24 instances without moving keys between shards
 * (which a later change of the count would). Each partition is a task with its own transactional
 * producer, so a count far beyond the instances ever run only costs connections.
 */
export const DEFAULT_PARTITIONS = 24;
const MAX_PARTITIONS = 1_000;

export function parseRuntimeConfig(env: Env): RuntimeConfig {
  const brokers = (env.OTAFLOW_KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[^:\s]+:\d+$/.test(b))) {
    const shown = env.OTAFLOW_KAFKA_BROKERS?.split(',').map(maskUrlValue).join(',');
    throw new Error(`OTAFLOW_KAFKA_BROKERS must be a comma-separated list of host:port, got "${shown}"`);
  }
  const kafkaDriver = (env.OTAFLOW_KAFKA_DRIVER ?? 'kafkajs') as KafkaDriver;
  if (!KAFKA_DRIVERS.includes(kafkaDriver)) throw new Error(`OTAFLOW_KAFKA_DRIVER must be one of ${KAFKA_DRIVERS.join(', ')}, got "${kafkaDriver}"`);
  const registryUrl = env.OTAFLOW_REGISTRY_URL ?? 'http://localhost:8081/apis/ccompat/v7';
  requireUrl('OTAFLOW_REGISTRY_URL', registryUrl);
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow';
  requireUrl('DATABASE_URL', databaseUrl);
  const topicPrefix = env.OTAFLOW_TOPIC_PREFIX ?? '';
  if (!/^[a-zA-Z0-9._-]*$/.test(topicPrefix)) {
    throw new Error(`OTAFLOW_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-", got "${topicPrefix}"`);
  }
  const secrets = urlPasswords(databaseUrl, registryUrl);
  const kafkaSecurity = parseKafkaSecurity(env, secrets);
  const registry = parseRegistryTransport(env, registryUrl, secrets);
  let clock: Clock;
  try {
    clock = parseClock(env.OTAFLOW_CLOCK ?? 'system');
  } catch (e) {
    throw new Error(`OTAFLOW_CLOCK: ${(e as Error).message}`);
  }
  return Object.freeze({
    brokers,
    kafkaSecurity,
    kafkaDriver,
    registryUrl,
    registry,
    databaseUrl,
    topicPrefix,
    partitions: env.OTAFLOW_PARTITIONS === undefined ? undefined : envPositiveInteger(env, 'OTAFLOW_PARTITIONS', DEFAULT_PARTITIONS, MAX_PARTITIONS),
    clock,
    logLevel: env.OTAFLOW_LOG_LEVEL ?? 'info',
    instanceId: env.OTAFLOW_INSTANCE_ID ?? `${process.env.HOSTNAME ?? 'local'}-${process.pid}`,
    maxClockSkewMs: envPositiveInteger(env, 'OTAFLOW_MAX_CLOCK_SKEW_MS', DEFAULT_MAX_CLOCK_SKEW_MS),
    httpPort: envPort(env, 'OTAFLOW_HTTP_PORT'),
    secrets,
  });
}

function requireUrl(name: string, value: string): void {
  try {
    new URL(value);
  } catch {
    throw new Error(`${name} must be a URL, got "${maskUrlValue(value)}"`);
  }
}

/** A TCP port from the environment: undefined when unset, 0 included (it means "none" to whoever reads it). */
export function envPort(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,4})$/.test(raw) || Number(raw) > 65_535) throw new Error(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return Number(raw);
}

/** A number from the environment, `fallback` when unset; anything else fails naming the variable. */
export function envNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

/** A positive integer of at most `max` from the environment, `fallback` when unset; anything else fails naming the variable. */
export function envPositiveInteger(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(raw) || Number(raw) > max) throw new Error(`${name} must be a positive integer of at most ${max}, got "${raw}"`);
  return Number(raw);
}

