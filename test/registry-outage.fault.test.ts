import { existsSync, readFileSync } from 'node:fs';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, produce } from '../scripts/lib/kafka.ts';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { readSchemaFile, subjectOf } from '../services/runtime/codec.ts';
import { profile } from './support/device-fixtures.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

/** Records in a topic, from its partitions' offsets. */
async function recordCount(t: Topology, topicId: string): Promise<number> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.topicOffsets(t.names.name(topicId));
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('issue 9 item 4: the schema registry down at start or while running', () => {
  let t: Topology;
  let proxy: TcpProxy;
  let device: ServiceProcess | undefined;
  beforeAll(async () => {
    t = await createTopology('registry-outage');
    const target = new URL(t.config.registryUrl);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 80) });
  });
  afterAll(async () => {
    await device?.stop();
    await proxy?.stop();
    await t?.dispose();
  });

  it('a service waits for the registry, saying so, instead of failing; then starts, and a batch with an unseen schema id waits for it too and is processed', async () => {
    const proxied = new URL(t.config.registryUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const registryUrl = proxied.toString().replace(/\/$/, '');
    const log = () => (existsSync(device!.logFile) ? readFileSync(device!.logFile, 'utf8') : '');
    const group = `${t.prefix}otaflow.device`;
    const checkin = (deviceId: string) => ({ ...profile, deviceId, at: Date.now() });

    // Down at start.
    await proxy.cut();
    device = new ServiceProcess('device', { ...t.env, OTAFLOW_REGISTRY_URL: registryUrl }, t.prefix.slice(0, -1));
    device.start();
    await waitFor('the device service to wait for the registry', () => log().includes(`waiting for the schema registry at ${registryUrl} (attempt 3 failed`), 60_000, 100);
    expect(device.running).toBe(true);
    expect(log()).not.toContain('service started');
    await proxy.restore();
    await waitFor('the device service to start', () => log().includes('"msg":"service started"'), 60_000, 100);
    await produce(t, 'device-checkins', [{ key: `${t.prefix}d1`, value: t.codecs.get('device-checkins')!.encode(checkin(`${t.prefix}d1`)) }]);
    await waitFor('the first check-in to be read', () => caughtUp(t, group, 'device-checkins'), 60_000, 100);

    // Down while running: a check-in written with a newer (backward-compatible) schema version
    // makes the service fetch that writer schema from the registry.
    const schema = readSchemaFile('schemas/device-checkin.avsc') as { fields: unknown[] };
    const evolved = { ...schema, fields: [...schema.fields, { name: 'note', type: ['null', 'string'], default: null }] };
    const { id } = await t.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(evolved) }, { subject: subjectOf(t.names.name('device-checkins')) });
    await proxy.cut();
    await produce(t, 'device-checkins', [{ key: `${t.prefix}d2`, value: await t.registry.encode(id, { ...checkin(`${t.prefix}d2`), note: 'written by a newer producer' }) }]);
    await waitFor('the batch to wait for the registry', () => log().includes(`waiting for the schema registry at ${registryUrl} for schema id ${id} (attempt 3 failed`), 60_000, 100);
    expect(await caughtUp(t, group, 'device-checkins')).toBe(false);
    await proxy.restore();
    await waitFor('the second check-in to be read', () => caughtUp(t, group, 'device-checkins'), 60_000, 100);

    expect(device.running).toBe(true);
    expect(await recordCount(t, 'device-checkins.dlq')).toBe(0);
    expect(log()).toContain(`the schema registry at ${registryUrl} for schema id ${id} answered after`);
  });
});
