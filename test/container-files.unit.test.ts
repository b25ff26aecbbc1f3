import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRadioRanges } from '../services/cell/config.ts';
import { parseDeviceConfig } from '../services/device/config.ts';
import { testTokenKeysText } from './support/token-keys.ts';
import { dashboardPortAfter } from '../services/dashboard/config.ts';
import { DEFAULT_BASE_PORT, serviceNames, servicePort } from '../services/ops/services.ts';
import { parseProjectorConfig } from '../services/projector/config.ts';
import { projectRoot, loadTopicSpecs } from '../services/runtime/topics.ts';

/** There is no Docker engine where the tests run: these keep the container files equal to the code. */
const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');
interface ComposeService {
  readonly image?: string;
  readonly build?: string;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly expose?: string[];
  readonly ports?: string[];
  readonly profiles?: string[];
  readonly depends_on?: Record<string, unknown> | string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
const otaflow = compose.services.otaflow!;
const env = otaflow.environment!;

/** Every variable the services' config parsers read, found by letting them parse `env` through a recording proxy. */
function variablesRead(values: Record<string, string>): Set<string> {
  const seen = new Set<string>();
  const recording = new Proxy(values, {
    get: (target, name) => {
      if (typeof name === 'string') seen.add(name);
      return target[name as string];
    },
  });
  parseProjectorConfig(recording);
  parseRadioRanges(recording);
  parseDeviceConfig(recording);
  return seen;
}

/** The environment with each compose secret's file (/run/secrets/<name>) replaced by a local one holding test values. */
function withSecretFiles(values: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'otaflow-compose-secrets-'));
  const local = join(dir, 'download-token-keys');
  writeFileSync(local, testTokenKeysText);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value === '/run/secrets/download-token-keys' ? local : value]));
}

describe('docker-compose.yml, prometheus.yml and the Dockerfile', () => {
  it('R-SEC-1, R-SEC-3: the download token keys reach otaflow as a compose secret, a file, taken from the host environment', () => {
    const top = parse(read('docker-compose.yml')) as { secrets: Record<string, { environment?: string }> };
    expect(top.secrets['download-token-keys']).toEqual({ environment: 'OTAFLOW_DOWNLOAD_TOKEN_KEYS' });
    expect((otaflow as { secrets?: string[] }).secrets).toEqual(['download-token-keys']);
    expect(env.OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE).toBe('/run/secrets/download-token-keys');
    expect(env.OTAFLOW_DOWNLOAD_TOKEN_KEYS).toBeUndefined();
  });

  it('compose runs Kafka, the registry, PostgreSQL, otaflow (the image of ./Dockerfile) and, in the metrics profile, Prometheus', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'otaflow', 'postgres', 'prometheus', 'registry']);
    expect(otaflow.build).toBe('.');
    expect(otaflow.command).toEqual(['run']);
    expect(compose.services.prometheus!.profiles).toEqual(['metrics']);
  });

  it("otaflow's environment parses with the services' own config parsers, and each variable it sets is one they read", () => {
    const read = variablesRead(withSecretFiles(env));
    expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
    const config = parseProjectorConfig(env);
    expect(config.httpPort).toBe(DEFAULT_BASE_PORT);
    // Each dependency is a compose service, on a port it listens on inside the network.
    const [kafkaHost] = config.brokers;
    expect(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toContain(`INTERNAL://${kafkaHost}`);
    expect(compose.services.kafka!.environment!.KAFKA_LISTENERS).toContain(`INTERNAL://:${kafkaHost!.split(':')[1]}`);
    const registry = new URL(config.registryUrl);
    expect(compose.services[registry.hostname]!.ports!.some((p) => p.endsWith(`:${registry.port}`))).toBe(true);
    const database = new URL(config.databaseUrl);
    expect(compose.services[database.hostname]!.environment!.POSTGRES_DB).toBe(database.pathname.slice(1));
    expect(Object.keys(otaflow.depends_on!).sort()).toEqual([kafkaHost!.split(':')[0], registry.hostname, database.hostname].sort());
  });

  it('Kafka creates no topic by itself: otaflow run provisions those in topics/, with replication factor 1 on the single broker', () => {
    const kafka = compose.services.kafka!.environment!;
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(kafka.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('1');
    expect(loadTopicSpecs().size).toBeGreaterThan(0);
  });

  it('otaflow exposes the supervisor port and every service port, and publishes the dashboard; Prometheus scrapes each of them by its service name', () => {
    const ports = [DEFAULT_BASE_PORT, ...serviceNames.map((n) => servicePort(DEFAULT_BASE_PORT, n))];
    expect(otaflow.expose).toEqual([`${Math.min(...ports)}-${Math.max(...ports)}`]);
    // The dashboard is for people: published on the host, and in the image's EXPOSE range.
    const dashboard = dashboardPortAfter(DEFAULT_BASE_PORT);
    expect(otaflow.ports).toEqual([`\${OTAFLOW_DASHBOARD_PORT:-${dashboard}}:${dashboard}`]);
    expect(read('Dockerfile')).toContain(`EXPOSE ${DEFAULT_BASE_PORT}-${dashboard}`);
    const prometheus = parse(read('prometheus.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { otaflow_service: string } }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((j) => j.static_configs.map((c) => [c.labels.otaflow_service, c.targets]));
    expect(targets).toEqual([['supervisor', [`otaflow:${DEFAULT_BASE_PORT}`]], ...serviceNames.map((n) => [n, [`otaflow:${servicePort(DEFAULT_BASE_PORT, n)}`]])]);
    expect(compose.services.prometheus!.depends_on).toEqual(['otaflow']);
  });

  it('the image is Node 24, installs production dependencies only (patches/ in place for postinstall), runs as a non-root user, and checks readiness on its port', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM node:24\S*/gm)).toHaveLength(2);
    expect(dockerfile.indexOf('COPY patches ./patches')).toBeLessThan(dockerfile.indexOf('RUN npm ci --omit=dev'));
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(new RegExp(`OTAFLOW_HTTP_PORT=${DEFAULT_BASE_PORT}`));
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*OTAFLOW_HTTP_PORT.*\/readyz/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["otaflow"\]$/m);
    // Every copied path exists, and the sources the entrypoint loads are among them.
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1]!);
    for (const path of copied) expect(existsSync(join(projectRoot, path)), path).toBe(true);
    for (const needed of ['services', 'contracts', 'topics', 'schemas', 'scripts/otaflow.ts', 'scripts/cli']) expect(copied, needed).toContain(needed);
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(dockerfile).toContain(`ln -s /app/${pkg.bin.otaflow} /usr/local/bin/otaflow`);
  });
});
