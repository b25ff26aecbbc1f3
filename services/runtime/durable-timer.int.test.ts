import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTokenKeys } from '../../test/support/token-keys.ts';
import { deviceService } from '../device/service.ts';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { caughtUp, produce } from '../../scripts/lib/kafka.ts';
import { startInProcess } from '../../test/support/in-process.ts';
import { TopicRecorder } from '../../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../../scripts/lib/topology.ts';
import { waitFor } from '../../scripts/lib/wait-for.ts';
import { acceleratedClock } from './clock.ts';
import type { RunningService } from './service.ts';

// A virtual day passes in 2 real seconds; the silent device's wait (a push, three daily
// re-pushes and 24 h, R-LC-4) is about four virtual days.
const clock = acceleratedClock(43_200, Date.UTC(2026, 0, 1), Date.now());

describe('durable timers', () => {
  let t: Topology;
  let decisions: TopicRecorder<DeviceDecision>;
  let results: TopicRecorder<DeviceResult>;
  const running: RunningService[] = [];
  beforeAll(async () => {
    t = await createTopology('timer');
    decisions = await TopicRecorder.start(t, 'campaign-device-decisions');
    results = await TopicRecorder.start(t, 'campaign-device-results');
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    await decisions?.stop();
    await results?.stop();
    await t?.dispose();
  });

  // The offer comes on another topic: the check-in must be applied before it is decided.
  const checkIn = async (deviceId: string, connected: boolean) => {
    await produce(t, 'device-checkins', [{ key: deviceId, value: t.codecs.get('device-checkins')!.encode({ ...profile, deviceId, connected, at: clock.now() }) }]);
    await waitFor('the check-in to be consumed', () => caughtUp(t, running.at(-1)!.groupId, 'device-checkins'));
  };
  // An offer, then the campaign's start: the device's flow begins with its online wait.
  const offerTo = (deviceId: string) =>
    produce(t, 'device-campaign', [
      { key: deviceId, value: JSON.stringify({ ...offer, retry: null, deviceId, at: clock.now() }) },
      { key: deviceId, value: JSON.stringify({ type: 'control', campaignId: offer.campaignId, deviceId, action: 'start', at: clock.now() }) },
    ]);
  const decided = (deviceId: string) => waitFor(`a decision for ${deviceId}`, () => decisions.values().find((d) => d.deviceId === deviceId));

  it('R-FLOW-5: a wake-up set before a restart fires after it, once', async () => {
    running.push(await startInProcess(deviceService(testTokenKeys), t, clock));
    await checkIn('offline-1', false);
    await offerTo('offline-1');
    expect(await decided('offline-1')).toMatchObject({ status: 'Accepted' });

    // The 24 h online wait (R-FLOW-1) was set by this instance; stop it before it fires.
    await running.pop()!.stop();
    expect(results.values()).toEqual([]);
    running.push(await startInProcess(deviceService(testTokenKeys), t, clock));

    const [result] = await waitFor('the online-wait timeout', () => results.values().length > 0 && results.values(), 60_000);
    expect(result).toMatchObject({ deviceId: 'offline-1', status: 'UpgradeFailed', cause: 'Waiting for the device online timeout' });

    // Restart again and let a probe device go through; the fired timer must not fire twice.
    await running.pop()!.stop();
    running.push(await startInProcess(deviceService(testTokenKeys), t, clock));
    await checkIn('probe-1', true);
    await offerTo('probe-1');
    await decided('probe-1');
    expect(results.values().filter((r) => r.deviceId === 'offline-1')).toHaveLength(1);
  });
});
