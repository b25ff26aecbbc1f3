import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../services/campaign/messages.ts';
import { campaignService } from '../services/campaign/service.ts';
import type { Checkin } from '../services/device/messages.ts';
import { deviceService } from '../services/device/service.ts';
import { membersService } from '../services/members/service.ts';
import { pilotService } from '../services/pilot/service.ts';
import { nextUtcTimeOfDay } from '../services/campaign/schedule.ts';
import { acceleratedClock } from '../services/runtime/clock.ts';
import type { RunningService } from '../services/runtime/service.ts';
import { clientTypeOf, luhnImei } from '../scripts/fleet/fleet.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { caughtUp, produce } from '../scripts/lib/kafka.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { startInProcess } from './support/in-process.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 5, 10, 0, 0);
// A virtual day in 7.2 real seconds: wake-ups are checked every 20 ms real (4 virtual minutes), and
// each hop through Kafka costs some virtual minutes more, so times are checked as "around": within
// 90 virtual minutes (450 ms real, room for a loaded machine), still well apart from the 4-hour steps.
const clock = acceleratedClock(12_000, T0, Date.now());
const iso = (ms: number) => new Date(ms).toISOString();
const near = (actual: number, expected: number) => actual >= expected && actual - expected <= 90 * MINUTE;

interface Event {
  type: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  at: number;
}

describe('time-driven campaign transitions on durable timers', () => {
  let t: Topology;
  const running: RunningService[] = [];
  let events: TopicRecorder<Event>;
  let commands: TopicRecorder<{ deviceId: string; campaignId: string; kind: string; at: number }>;
  let results: TopicRecorder<DeviceResult>;
  beforeAll(async () => {
    t = await createTopology('timers');
    for (const def of [campaignService, membersService, deviceService, pilotService]) running.push(await startInProcess(def as never, t, clock));
    events = await TopicRecorder.start(t, 'campaign-events');
    commands = await TopicRecorder.start(t, 'device-commands');
    results = await TopicRecorder.start(t, 'campaign-device-results');
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    await Promise.all([events?.stop(), commands?.stop(), results?.stop()]);
    await t?.dispose();
  });

  const device = (i: number, protocol: 'LWM2M' | 'HTTP' | 'MQTT'): Checkin => ({
    deviceId: `${t.prefix}${protocol}-${i}`,
    imei: luhnImei(`3500000000${String(i).padStart(4, '0')}`),
    make: 'Acme',
    model: 'S1',
    protocol,
    firmwareVersion: '1.0.0',
    softwareVersion: '1.0.0',
    clientType: clientTypeOf[protocol],
    fotaCapable: true,
    connected: protocol === 'HTTP',
    radio: null,
    at: clock.now(),
  });

  it('R-LC-4, R-LC-1, R-LC-2, R-FLOW-2: a future v1 campaign starts at 00:00 UTC and re-pushes silent LwM2M devices at 04:00 UTC for three days; an offline MQTT device is waited for 25 h; an on-demand v2 campaign ends after seven days', async () => {
    const lwm2m = [0, 1].map((i) => device(i, 'LWM2M'));
    const http = [0, 1].map((i) => device(i, 'HTTP'));
    const mqtt = [{ ...device(0, 'MQTT'), connected: false }];
    await produce(t, 'device-checkins', [...lwm2m, ...http, ...mqtt].map((c) => ({ key: c.deviceId, value: t.codecs.get('device-checkins')!.encode(c) })));
    await waitFor('the check-ins to be read', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'));

    const v1Id = `${t.prefix}v1-future`;
    const v2Id = `${t.prefix}v2-on-demand`;
    // Expectations follow the virtual time of the request: setup takes a few virtual hours.
    const requestedAt = clock.now();
    const startDay = nextUtcTimeOfDay(requestedAt + 1, 0);
    const base1 = scheduleCommand(v1Id, lwm2m, '2.0.0');
    const v1 = { ...base1, request: { ...base1.request, retry: null, schedule: { ...base1.request.schedule, kind: 'FUTURE' as const, startAt: startDay + 9 * 60 * MINUTE } } };
    const base2 = scheduleCommand(v2Id, http, '2.0.0');
    const v2 = { ...base2, request: { ...base2.request, api: 'V2' as const, protocol: 'HTTP' as const, packageKind: 'SOFTWARE' as const, retry: null } };
    const mqttId = `${t.prefix}mqtt-offline`;
    const base3 = scheduleCommand(mqttId, mqtt, '2.0.0');
    const v3 = { ...base3, request: { ...base3.request, api: 'V2' as const, protocol: 'MQTT' as const, retry: null } };
    const encode = (c: unknown) => t.codecs.get('campaign-commands')!.encode(c);
    await produce(t, 'campaign-commands', [
      { key: v1Id, value: encode({ ...v1, at: clock.now() }) },
      { key: v2Id, value: encode({ ...v2, at: clock.now() }) },
      { key: mqttId, value: encode({ ...v3, at: clock.now() }) },
    ]);

    await waitFor('both campaigns to end', () => {
      const ends = events.records.filter((e) => e.value.type === 'STATE_CHANGED' && ['Finished', 'Ended'].includes(e.value.to!));
      return ends.length >= 3;
    }, 150_000, 100).catch((e) => {
      throw new Error(`${(e as Error).message}; events: ${JSON.stringify(events.values().map((v) => [v.to ?? v.type, iso(v.at)]))}`);
    });
    await waitFor('every device result', () => results.records.length >= lwm2m.length + http.length + mqtt.length, 30_000);

    const transitions = (id: string) => events.records.filter((e) => e.key === id && e.value.type === 'STATE_CHANGED').map((e) => e.value);
    const v1t = transitions(v1Id);
    expect(v1t.map((e) => e.to)).toEqual(['RequestPending', 'Queued', 'InProgress', 'Finished']);
    const started = v1t.find((e) => e.to === 'InProgress')!;
    expect(near(started.at, startDay), iso(started.at)).toBe(true);

    for (const d of lwm2m) {
      const pushes = commands.values().filter((c) => c.deviceId === d.deviceId && c.kind === 'PUSH').map((c) => c.at);
      const expected = [startDay, startDay + 4 * 60 * MINUTE, startDay + DAY + 4 * 60 * MINUTE, startDay + 2 * DAY + 4 * 60 * MINUTE];
      expect(pushes.map(iso)).toHaveLength(4);
      pushes.forEach((at, i) => expect(near(at, expected[i]!), `${iso(at)} ≈ ${iso(expected[i]!)}`).toBe(true));
    }
    const v1Results = results.values().filter((r) => r.campaignId === v1Id);
    expect(v1Results.map((r) => r.cause)).toEqual(['Waiting for the device online timeout', 'Waiting for the device online timeout']);
    // 24 h after the last re-push (R-FLOW-1 online wait).
    v1Results.forEach((r) => expect(near(r.at, startDay + 3 * DAY + 4 * 60 * MINUTE), iso(r.at)).toBe(true));

    const v2t = transitions(v2Id);
    expect(v2t.map((e) => e.to)).toEqual(['RequestPending', 'Scheduled', 'Ended']);
    expect(v2t.at(-1)!.reason).toBe('end date reached');
    expect(near(v2t.at(-1)!.at, v2t[0]!.at + 7 * DAY), iso(v2t.at(-1)!.at)).toBe(true);
    expect(commands.values().filter((c) => c.campaignId === v2Id)).toEqual([]);

    // R-FLOW-2: the offline MQTT device is not pushed and fails 25 h after its campaign started.
    expect(commands.values().filter((c) => c.campaignId === mqttId)).toEqual([]);
    const mqttStart = transitions(mqttId).find((e) => e.to === 'Scheduled')!.at;
    const [mqttResult] = results.values().filter((r) => r.campaignId === mqttId);
    expect(mqttResult).toMatchObject({ status: 'UpgradeFailed', cause: 'Waiting for the device online timeout' });
    expect(near(mqttResult!.at, mqttStart + 25 * 60 * MINUTE), iso(mqttResult!.at)).toBe(true);
    expect(results.values().filter((r) => r.campaignId === v2Id).map((r) => r.detail)).toEqual(['RovaClientDidNotReportStatus', 'RovaClientDidNotReportStatus']);
  });
});
