import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../services/campaign/messages.ts';
import { campaignService } from '../services/campaign/service.ts';
import { cellService } from '../services/cell/service.ts';
import type { Protocol } from '../services/device/messages.ts';
import { deviceService } from '../services/device/service.ts';
import { httpClientCodes, lwm2mResultCodes, stepTimeouts, v1FailureDetails } from '../services/device/task.ts';
import { membersService } from '../services/members/service.ts';
import { pilotService } from '../services/pilot/service.ts';
import { acceleratedClock } from '../services/runtime/clock.ts';
import type { RunningService } from '../services/runtime/service.ts';
import { generateFleet, type SimDevice } from '../scripts/fleet/fleet.ts';
import { FleetSimulator } from '../scripts/fleet/simulator.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { caughtUp, produce } from '../scripts/lib/kafka.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { startInProcess } from './support/in-process.ts';

// A virtual hour in 12 real seconds: slow enough that a Kafka round trip stays far below the
// 3-minute query timeouts, fast enough for 60-minute download and 30-minute result timeouts.
const clock = acceleratedClock(300, Date.UTC(2026, 5, 10, 12), Date.now());

describe('device upgrade flows on the real stack', () => {
  let t: Topology;
  const running: RunningService[] = [];
  let simulator: FleetSimulator;
  let results: TopicRecorder<DeviceResult>;
  let commands: TopicRecorder<{ deviceId: string; attempt: number; kind: string; at: number }>;
  beforeAll(async () => {
    t = await createTopology('flows');
    for (const def of [campaignService, membersService, deviceService, cellService(), pilotService]) running.push(await startInProcess(def as never, t, clock));
    results = await TopicRecorder.start(t, 'campaign-device-results');
    commands = await TopicRecorder.start(t, 'device-commands');
  });
  afterAll(async () => {
    await simulator?.stop();
    for (const s of running) await s.stop();
    await results?.stop();
    await commands?.stop();
    await t?.dispose();
  });

  it('R-FLOW-1, R-FLOW-2, R-FLOW-3, R-FLOW-4, R-REQ-3, R-RES-1, R-RES-2, R-RES-3: each protocol upgrades, times out with its cause, retries what can be retried, and ends with one result', async () => {
    const fleetOf = (protocol: Protocol, overrides: Partial<SimDevice>[]) =>
      generateFleet({ devices: overrides.length, cells: 2, idPrefix: `${t.prefix}${protocol}-`, protocols: [protocol] }).map((d, i) => ({ ...d, ...overrides[i] }));
    const lwm2m = fleetOf('LWM2M', [{}, { failFirstAttempts: 1 }, { silentOn: ['DELIVER_PACKAGE'] }, { silentOn: ['UPGRADE'] }, { resultCode: 2 }]);
    const mqtt = fleetOf('MQTT', [{}, { failFirstAttempts: 1 }]);
    const http = fleetOf('HTTP', [{}, { clientFailure: httpClientCodes.installFailed }]);
    simulator = new FleetSimulator([...lwm2m, ...mqtt, ...http], { kafka: t.kafka, names: t.names, codecs: t.codecs, now: () => clock.now(), httpCheckinEveryMs: 100 });
    await simulator.start();
    await simulator.checkInAll();
    await waitFor('the check-ins to be read', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'));

    const campaign = (id: string, fleet: SimDevice[], api: 'V1' | 'V2') => {
      const base = scheduleCommand(id, fleet);
      return { ...base, request: { ...base.request, api, retry: { attempts: 1, intervalMinutes: 1 } }, at: clock.now() };
    };
    const ids = { lwm2m: `${t.prefix}lwm2m`, mqtt: `${t.prefix}mqtt`, http: `${t.prefix}http` };
    const encode = (c: unknown) => t.codecs.get('campaign-commands')!.encode(c);
    await produce(t, 'campaign-commands', [
      { key: ids.lwm2m, value: encode(campaign(ids.lwm2m, lwm2m, 'V1')) },
      { key: ids.mqtt, value: encode(campaign(ids.mqtt, mqtt, 'V2')) },
      { key: ids.http, value: encode(campaign(ids.http, http, 'V2')) },
    ]);

    const all = lwm2m.length + mqtt.length + http.length;
    await waitFor('every device to finish', () => results.records.length >= all, 120_000, 100);
    const of = (d: SimDevice) => {
      const mine = results.values().filter((r) => r.deviceId === d.deviceId);
      expect(mine, d.deviceId).toHaveLength(1);
      return mine[0]!;
    };

    expect(of(lwm2m[0]!)).toMatchObject({ status: 'UpgradeSuccess', detail: 'The firmware upgrade was successful' });
    expect(of(lwm2m[1]!)).toMatchObject({ status: 'UpgradeSuccess', attempt: 2 });
    expect(of(lwm2m[2]!)).toMatchObject({ status: 'UpgradeFailed', attempt: 2, detail: v1FailureDetails.updateFailed, cause: stepTimeouts.download!.cause });
    expect(of(lwm2m[3]!)).toMatchObject({ status: 'UpgradeFailed', attempt: 2, cause: stepTimeouts.update!.cause });
    expect(of(lwm2m[4]!)).toMatchObject({ status: 'UpgradeFailed', attempt: 1, cause: lwm2mResultCodes[2] });
    expect(of(mqtt[0]!)).toMatchObject({ status: 'UpgradeSuccess', detail: 'Download and install succeeded' });
    expect(of(mqtt[1]!)).toMatchObject({ status: 'UpgradeSuccess', attempt: 2 });
    expect(of(http[0]!)).toMatchObject({ status: 'UpgradeSuccess', detail: 'Download and install succeeded' });
    expect(of(http[1]!)).toMatchObject({ status: 'UpgradeFailed', attempt: 2, detail: httpClientCodes.installFailed });

    // R-FLOW-4: each timeout fired its full duration after the command that began the wait.
    const waited = (d: SimDevice, kind: string) => {
      const sent = commands.values().find((c) => c.deviceId === d.deviceId && c.attempt === 2 && c.kind === kind)!;
      return (of(d).at - sent.at) / 60_000;
    };
    expect(waited(lwm2m[2]!, 'DELIVER_PACKAGE')).toBeGreaterThanOrEqual(60);
    expect(waited(lwm2m[2]!, 'DELIVER_PACKAGE')).toBeLessThan(65);
    expect(waited(lwm2m[3]!, 'UPGRADE')).toBeGreaterThanOrEqual(30);
    expect(waited(lwm2m[3]!, 'UPGRADE')).toBeLessThan(35);
  });
});
