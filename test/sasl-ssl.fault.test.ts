// Only a broker of the test's own shows this: its one client listener takes SASL_SSL alone.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCommand } from '../contracts/device-commands.ts';
import { verifyDownloadToken } from '../contracts/download-token.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign, type CampaignRun } from '../scripts/lib/campaign-run.ts';
import { Pipeline } from '../scripts/lib/pipeline.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createKafka } from '../services/runtime/kafka/client.ts';
import type { SaslOptions } from '../services/runtime/transport.ts';
import { expectOneResultEach, runToCompletion } from './support/campaign-checks.ts';
import { OwnBroker } from './support/own-broker.ts';
import { TlsRegistryProxy } from './support/tls-registry-proxy.ts';
import { testTokenKeys, testTokenKeysText } from './support/token-keys.ts';

const DEVICES = 20;

describe('R-SEC-3: otaflow over SASL_SSL', () => {
  let broker: OwnBroker;
  let proxy: TlsRegistryProxy;
  let t: Topology;
  let pipeline: Pipeline;
  let run: CampaignRun | undefined;
  let deliveries: TopicRecorder<DeviceCommand> | undefined;
  const bearer = `registry-token-${randomUUID()}`;
  const db = createDatabase(parseRuntimeConfig(process.env).databaseUrl);

  beforeAll(async () => {
    const began = Date.now();
    broker = await OwnBroker.create('sasl-ssl', 'SASL_SSL');
    const brokerUp = Date.now();
    const secrets = broker.secretsDir;
    // The registry behind https with the broker's certificate (the stack's CA signed it for
    // localhost), taking a bearer token from a file.
    const shared = new URL(parseRuntimeConfig(process.env).registryUrl);
    proxy = await TlsRegistryProxy.start(shared, { key: readFileSync(join(secrets, 'broker.key'), 'utf8'), cert: readFileSync(join(secrets, 'broker.pem'), 'utf8') }, bearer);
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'otaflow-registry-token-')), 'token');
    writeFileSync(tokenFile, `${bearer}\n`);
    const env = { ...broker.clientEnv, OTAFLOW_REGISTRY_URL: proxy.url(shared.pathname), OTAFLOW_REGISTRY_SSL_CA_FILE: join(secrets, 'ca.pem'), OTAFLOW_REGISTRY_TOKEN_FILE: tokenFile };
    // The test's own clients log the new broker's leader elections at error: expected, not news.
    t = await createTopology('sasl-ssl', { env: { ...env, OTAFLOW_LOG_LEVEL: 'fatal' } });
    pipeline = new Pipeline(t, t.prefix);
    pipeline.start();
    console.log(`sasl-ssl: broker up in ${((brokerUp - began) / 1000).toFixed(1)} s, topology on it ${((Date.now() - brokerUp) / 1000).toFixed(1)} s later`);
  });
  afterAll(async () => {
    await run?.stop();
    await deliveries?.stop();
    await pipeline?.stop();
    await t?.dispose();
    await proxy?.close();
    await broker?.dispose();
    await db.destroy();
  });

  it('R-SEC-3: the broker refuses a client without TLS, one without SASL, and one with a wrong SCRAM password', async () => {
    const { ssl, sasl } = t.config.kafkaSecurity;
    const attempt = async (security: { ssl?: typeof ssl; sasl?: SaslOptions }) => {
      const admin = createKafka({ kafkaDriver: t.config.kafkaDriver, brokers: [broker.brokers], kafkaSecurity: { ssl: security.ssl, sasl: security.sasl } }, undefined, 'otaflow-sasl-ssl-intruder', { failFast: true }).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return 'connected';
      } catch (e) {
        return errorNames(e);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    };
    const scram = (password: string): SaslOptions => ({ mechanism: 'scram-sha-512', username: 'otaflow', password });
    const password = readFileSync(join(broker.secretsDir, 'otaflow-password'), 'utf8').trim();
    expect(sasl).toEqual(scram(password));
    expect(await attempt({ ssl, sasl: scram(password) })).toBe('connected');
    expect(await attempt({})).not.toBe('connected');
    expect(await attempt({ ssl })).not.toBe('connected');
    expect(await attempt({ ssl, sasl: scram('not-the-password') })).toMatch(/authentication/i);
  });

  it(`R-SEC-3, R-SEC-1, R-RES-4: every service runs a ${DEVICES}-device campaign over SASL_SSL and an https registry with a bearer token, each delivery carries a valid download token, and no log shows a secret`, async () => {
    const fleet = generateFleet({ devices: DEVICES, cells: 2, idPrefix: t.prefix, seed: 15 });
    const campaignId = `${t.prefix}campaign-sasl-ssl`;
    deliveries = await TopicRecorder.start<DeviceCommand>(t, 'device-commands', { from: 'now', keep: (r) => r.value.campaignId === campaignId && r.value.kind === 'DELIVER_PACKAGE' });
    const began = Date.now();
    run = await launchCampaign(t, fleet, campaignId);
    const launched = Date.now();
    await runToCompletion(run, 45_000);
    console.log(`sasl-ssl: services ready and the campaign scheduled ${((launched - began) / 1000).toFixed(1)} s into the test, every result ${((Date.now() - launched) / 1000).toFixed(1)} s later`);
    expectOneResultEach(run);
    const row = await waitFor('the campaign row to show it finished', async () => {
      const r = await readCampaign(db, campaignId);
      return r?.status === 'Finished' && r.succeeded + r.failed === DEVICES && r;
    }, 30_000, 200);
    expect(row).toMatchObject({ accepted: DEVICES, device_count: DEVICES });

    // R-SEC-1: what a download server would check, for each device's own delivery.
    const delivered = deliveries.values();
    expect(new Set(delivered.map((c) => c.deviceId)).size).toBe(DEVICES);
    for (const c of delivered) {
      const claims = { deviceId: c.deviceId, campaignId, attempt: c.attempt, checksum: c.package!.checksum };
      expect(verifyDownloadToken(testTokenKeys, c.package!.token!, claims, c.at), c.deviceId).toMatchObject({ valid: true });
    }
    // Every registry request of every service and of the test carried the bearer token.
    expect(proxy.refused).toBe(0);

    const password = readFileSync(join(broker.secretsDir, 'otaflow-password'), 'utf8').trim();
    const clientKey = readFileSync(join(broker.secretsDir, 'client.key'), 'utf8');
    const keyLine = clientKey.split('\n')[1]!;
    for (const s of Object.values(pipeline.services)) {
      const log = existsSync(s.logFile) ? readFileSync(s.logFile, 'utf8') : '';
      expect(log.length, `${s.name} logged nothing`).toBeGreaterThan(0);
      for (const secret of [password, bearer, keyLine, testTokenKeysText.split(':')[1]!]) expect(log.includes(secret), `${s.name}'s log shows a secret`).toBe(false);
    }
  });
});

/** The names and codes of an error and of those it wraps: each driver says "authentication" its own way, and one wraps it in its retries. */
function errorNames(e: unknown): string {
  const error = e as { name?: string; code?: unknown; errors?: unknown[]; cause?: unknown };
  return [error.name, typeof error.code === 'string' ? error.code : '', ...(error.errors ?? []).map(errorNames), error.cause ? errorNames(error.cause) : ''].filter(Boolean).join(' ');
}
