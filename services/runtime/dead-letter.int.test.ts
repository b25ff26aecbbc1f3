import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTokenKeys } from '../../test/support/token-keys.ts';
import { deviceService } from '../device/service.ts';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { caughtUp, produce } from '../../scripts/lib/kafka.ts';
import { startInProcess } from '../../test/support/in-process.ts';
import { TopicRecorder } from '../../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../../scripts/lib/topology.ts';
import { waitFor } from '../../scripts/lib/wait-for.ts';
import type { RunningService } from './service.ts';
import { deadLetterHeaders } from './dead-letter.ts';

describe('poison messages', () => {
  let t: Topology;
  let service: RunningService;
  beforeAll(async () => {
    t = await createTopology('dlq');
    service = await startInProcess(deviceService(testTokenKeys), t);
  });
  afterAll(async () => {
    await service?.stop();
    await t?.dispose();
  });

  it('sends undecodable and schema-valid-but-invalid records to the dead-letter topic with a reason, and keeps the partition moving', async () => {
    const checkins = t.codecs.get('device-checkins')!;
    const key = 'dlq-device';
    const good = { ...profile, deviceId: key, at: Date.now() };
    await produce(t, 'device-checkins', [
      { key, value: Buffer.from('definitely not avro') },
      { key, value: checkins.encode({ ...good, radio: { cellId: 'c1', rsrp: 50, sinr: 10 } }) },
      { key, value: checkins.encode(good) },
    ]);
    // The offer is on another topic: let the check-ins be applied first, or "not found" is right.
    await waitFor('the check-ins to be consumed', () => caughtUp(t, service.groupId, 'device-checkins'));
    await produce(t, 'device-campaign', [
      { key, value: '{not json' },
      { key, value: JSON.stringify({ ...offer, deviceId: key }) },
    ]);

    const decisions = await TopicRecorder.start<DeviceDecision>(t, 'campaign-device-decisions');
    const dlqCheckins = await TopicRecorder.start<Buffer>(t, 'device-checkins.dlq');
    const dlqOffers = await TopicRecorder.start<Buffer>(t, 'device-campaign.dlq');
    try {
      const [decision] = await waitFor('the valid offer to be decided', () => decisions.values().length > 0 && decisions.values());
      // Accepted proves the valid check-in behind the two bad ones was applied.
      expect(decision).toMatchObject({ deviceId: key, status: 'Accepted' });

      await waitFor('two dead-lettered check-ins', () => dlqCheckins.records.length >= 2);
      const [garbage, invalid] = dlqCheckins.records;
      expect(garbage!.raw!.toString()).toBe('definitely not avro');
      expect(garbage!.key).toBe(key);
      expect(String(garbage!.headers[deadLetterHeaders.reason])).toMatch(/not in the schema-registry wire format/);
      expect(String(garbage!.headers[deadLetterHeaders.topic])).toBe(t.names.name('device-checkins'));
      expect(String(garbage!.headers[deadLetterHeaders.offset])).toBe('0');
      expect(String(garbage!.headers[deadLetterHeaders.service])).toBe('device');
      expect(String(invalid!.headers[deadLetterHeaders.reason])).toMatch(/radio.rsrp 50 dBm is outside/);
      expect(String(invalid!.headers[deadLetterHeaders.offset])).toBe('1');

      await waitFor('the dead-lettered offer', () => dlqOffers.records.length >= 1);
      expect(String(dlqOffers.records[0]!.headers[deadLetterHeaders.reason])).toMatch(/not JSON/);
      expect(dlqCheckins.records).toHaveLength(2);
    } finally {
      await Promise.all([decisions.stop(), dlqCheckins.stop(), dlqOffers.stop()]);
    }
  });
});
