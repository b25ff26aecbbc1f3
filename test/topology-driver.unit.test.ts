import { describe, expect, it } from 'vitest';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import type { DeviceState } from '../services/device/device-actor.ts';
import type { ActorType, InputParser } from '../services/runtime/actor.ts';
import type { ServiceDefinition } from '../services/runtime/service.ts';
import { profile } from './support/device-fixtures.ts';
import { SimulatedDevices } from './support/simulated-devices.ts';
import { DRIVER_START, TopologyDriver } from './support/topology-driver.ts';

const checkin = (at: number) => ({ ...profile, at });

describe('topology driver', () => {
  it('refuses at the producer a value its Avro schema refuses, naming the field', () => {
    const driver = new TopologyDriver();
    expect(() => driver.pipeInput('device-checkins', 'd1', { ...checkin(driver.now), fotaCapable: 'yes' })).toThrow(/does not match its schema at fotaCapable/);
  });

  it('dead-letters a poison record for each consumer that refuses it, with the reason, and goes on', () => {
    const driver = new TopologyDriver();
    driver.pipeRawInput('device-checkins', 'd1', Buffer.from('not avro'));
    expect(driver.deadLetters('device-checkins.dlq').map((d) => [d.service, d.kind, d.reason, d.source])).toEqual([
      ['device', 'invalid', expect.stringMatching(/^device could not handle the message: .*not in the schema-registry wire format/), { topic: 'device-checkins', offset: 0 }],
      ['projector', 'invalid', expect.stringMatching(/^projector device_checkins: .*not in the schema-registry wire format/), { topic: 'device-checkins', offset: 0 }],
    ]);
    driver.pipeInput('device-checkins', 'd1', checkin(driver.now));
    expect(driver.state<DeviceState>('device', 'd1')?.profile).toMatchObject({ deviceId: 'd1', at: driver.now });
  });

  it('R-DEV-2: parsers see the simulated clock: a check-in further ahead of it than the allowed skew is a dead letter', () => {
    const driver = new TopologyDriver();
    driver.pipeInput('device-checkins', 'd1', checkin(driver.now + 301_000));
    expect(driver.deadLetters('device-checkins.dlq')[0]?.reason).toMatch(/at .* is 301000 ms ahead of the clock \(2026-06-10T00:00:00.000Z/);
    expect(driver.state('device', 'd1')).toBeUndefined();
    driver.advanceWallClockTime(1_000);
    driver.pipeInput('device-checkins', 'd1', checkin(driver.now + 300_000));
    expect(driver.state('device', 'd1')).toBeDefined();
  });

  it('dead-letters as a defect an input whose output its topic does not take: a value the schema refuses, an undeclared topic', () => {
    // CANCEL is answered with an event its schema refuses, anything else on a topic the service does not declare.
    const answer: ActorType<null, string> = {
      name: 'answer',
      initial: () => null,
      wakeAt: () => undefined,
      decide: (state, type) => ({ state, outputs: type === 'CANCEL' ? [{ topic: 'campaign-events', key: 'k1', value: { nonsense: true } }] : [{ topic: 'cell-events', key: 'k1', value: {} }] }),
    };
    const parse: InputParser<string> = (v) => (v as { type: string }).type;
    const service: ServiceDefinition<null, string> = { name: 'answer', actor: answer, inputs: { 'campaign-commands': parse }, outputs: ['campaign-events'], changelog: 'campaign-changelog' };
    const driver = new TopologyDriver({ services: [service], projections: [] });
    for (const type of ['CANCEL', 'ABORT']) driver.pipeInput('campaign-commands', 'k1', { commandId: 'c1', campaignId: 'k1', type, request: null, deviceIds: [], part: 0, parts: 1, deviceCount: null, at: driver.now });
    expect(driver.deadLetters('campaign-commands.dlq').map((d) => [d.kind, d.reason])).toEqual([
      ['defect', expect.stringMatching(/^defect in otaflow's answer service, not in the record: output to campaign-events does not encode: .*does not match its schema/)],
      ['defect', "defect in otaflow's answer service, not in the record: output to undeclared topic cell-events"],
    ]);
    expect(driver.outputs('campaign-events')).toEqual([]);
  });

  it('gives the same outputs for the same inputs', () => {
    const run = () => {
      const fleet = generateFleet({ devices: 4, cells: 2, idPrefix: 'same-', failureRate: 0.5, seed: 7 });
      const driver = new TopologyDriver();
      const devices = new SimulatedDevices(fleet);
      devices.checkInAll(driver);
      driver.pipeInput('campaign-commands', 'k1', { ...scheduleCommand('k1', fleet), commandId: 'c1', at: driver.now });
      devices.answer(driver);
      driver.advanceWallClockTime(3 * 3_600_000);
      return driver;
    };
    const [a, b] = [run(), run()];
    for (const topic of ['campaign-events', 'campaign-parts', 'device-campaign', 'campaign-device-decisions', 'device-commands', 'cell-requests', 'cell-grants', 'cell-events', 'campaign-device-results']) {
      expect(a.outputs(topic).length, topic).toBeGreaterThan(0);
      expect(b.outputs(topic), topic).toEqual(a.outputs(topic));
    }
    expect(a.now).toBe(DRIVER_START + 3 * 3_600_000);
  });
});
