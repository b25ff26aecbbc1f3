// Only real processes show this: what every service logs, running and failing, with secrets in its configuration.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pipeline, serviceNames } from '../scripts/lib/pipeline.ts';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const planted = `s3cr3t-PLANTED-${randomUUID().slice(0, 8)}`;

/** `url` with the planted password (and a user, when it has none). */
function withPassword(url: string): string {
  const u = new URL(url);
  u.username ||= 'otaflow';
  u.password = planted;
  return u.toString();
}

const logOf = (s: ServiceProcess): string => (existsSync(s.logFile) ? readFileSync(s.logFile, 'utf8') : '');

// Broken configurations as an operator might write them, the planted password next to the mistake.
const brokenConfigs = [
  { variable: 'DATABASE_URL', value: `postgres://postgres:${planted}@127.0.0.1:notaport/otaflow`, shown: 'postgres://postgres:***@127.0.0.1:notaport/otaflow' },
  { variable: 'OTAFLOW_REGISTRY_URL', value: `http://otaflow:${planted}@127.0.0.1:notaport/apis/ccompat/v7`, shown: 'http://otaflow:***@127.0.0.1:notaport/apis/ccompat/v7' },
  { variable: 'OTAFLOW_KAFKA_BROKERS', value: `sasl://otaflow:${planted}@127.0.0.1:9092`, shown: 'sasl://otaflow:***@127.0.0.1:9092' },
];

describe('R-SEC-3: no password reaches a service log', () => {
  let t: Topology;
  let env: Record<string, string | undefined>;
  let pipeline: Pipeline;
  let unreachable: TcpProxy;
  const others: ServiceProcess[] = [];
  beforeAll(async () => {
    const shared = parseRuntimeConfig(process.env);
    // Trust authentication on the test machine ignores the password: it only has to be in the URL.
    t = await createTopology('secrets', { env: { DATABASE_URL: withPassword(shared.databaseUrl) } });
    // The registry ignores credentials it does not require; the topology's own clients (fetch
    // refuses a URL with credentials) keep the plain URL.
    env = { ...t.env, OTAFLOW_REGISTRY_URL: withPassword(shared.registryUrl) };
    // A port that refuses connections: a proxy cut before anything connects through it.
    unreachable = await TcpProxy.start({ host: '127.0.0.1', port: 9 });
    await unreachable.cut();
  });
  afterAll(async () => {
    await pipeline?.stop();
    for (const s of others) await s.stop();
    await unreachable?.stop();
    await t?.dispose();
  });

  it('masks every URL password in what services log running, failing their config, and waiting for the registry', async () => {
    pipeline = new Pipeline({ ...t, env }, t.prefix);
    pipeline.start();
    const broken = serviceNames.map((name, i) => {
      const { variable, value } = brokenConfigs[i % brokenConfigs.length]!;
      return new ServiceProcess(name, { ...env, [variable]: value }, `${t.prefix}broken`);
    });
    const waiting = new ServiceProcess('campaign', { ...env, OTAFLOW_REGISTRY_URL: withPassword(`http://127.0.0.1:${unreachable.port}/apis/ccompat/v7`) }, `${t.prefix}no-registry`);
    others.push(...broken, waiting);
    for (const s of others) s.start();

    const running = Object.values(pipeline.services);
    await waitFor('every service to start', () => running.every((s) => /"msg":"(service|projection) started"/.test(logOf(s))), 120_000, 200);
    const variableOf = (i: number) => brokenConfigs[i % brokenConfigs.length]!.variable;
    await waitFor('every broken service to fail naming its variable', () => broken.every((s, i) => logOf(s).includes(`Error: ${variableOf(i)} must be`) && !s.running), 120_000, 200);
    await waitFor('the service without a registry to retry', () => /waiting for the schema registry at \S+ \(attempt 3 failed/.test(logOf(waiting)), 120_000, 200);
    expect(waiting.running).toBe(true);
    await pipeline.stop();
    await waiting.stop();

    for (const s of [...running, ...others]) expect(logOf(s), s.logFile).not.toContain(planted);
    broken.forEach((s, i) => {
      expect(logOf(s), s.logFile).toContain(`got "${brokenConfigs[i % brokenConfigs.length]!.shown}"`);
    });
    expect(logOf(waiting)).toContain(`waiting for the schema registry at http://otaflow:***@127.0.0.1:${unreachable.port}/apis/ccompat/v7`);
  });
});
