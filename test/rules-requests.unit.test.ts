import { describe, expect, it } from 'vitest';
import type { Checkin } from '../contracts/device-checkins.ts';
import type { DeviceCampaignMessage } from '../contracts/device-campaign.ts';
import { checkinAt } from '../scripts/fleet/answer.ts';
import type { SimDevice } from '../scripts/fleet/fleet.ts';
import { details } from '../services/device/acceptance.ts';
import type { DeviceState } from '../services/device/task.ts';
import type { DeviceRow } from '../services/projector/campaign-devices/index.ts';
import { fleetOf, HOUR, iso, Scenario, scheduleFor, T0, type RequestChanges } from './support/driver-campaigns.ts';

/** Checks each device in again now as `changes` say (a newer check-in replaces the older, R-DEV-2). */
function checkInAs(s: Scenario, devices: readonly SimDevice[], changes: readonly Partial<Checkin>[]): void {
  devices.forEach((d, i) => s.driver.pipeInput('device-checkins', d.deviceId, { ...checkinAt(d, s.driver.now), ...changes[i] }));
}

const offers = (s: Scenario) => s.driver.outputs<DeviceCampaignMessage>('device-campaign').filter((m) => m.value.type === 'offer');

describe('devices and campaign requests on the in-memory topology', () => {
  it('R-REQ-4, R-DEV-1: every device of a v1 request gets exactly one decision, with the v1 detail of the first check it fails', () => {
    const fleet = fleetOf('v1-', 'LWM2M', Array(7).fill({}));
    const s = new Scenario(fleet);
    checkInAs(s, fleet, [{}, { imei: '350000000000001' }, { fotaCapable: false }, { clientType: 'OMA_DM_CLIENT' }, { model: 'Other' }, { firmwareVersion: '0.9.0' }, { connected: false }]);
    s.schedule(scheduleFor('k1', fleet, {}, ['never-seen']));

    const v1 = details.V1;
    expect(s.decisions('k1')).toEqual([
      [fleet[0]!.deviceId, 'Accepted', v1.accepted],
      [fleet[1]!.deviceId, 'DeviceRejected', v1.invalidImei],
      [fleet[2]!.deviceId, 'DeviceRejected', v1.notEligible],
      [fleet[3]!.deviceId, 'DeviceRejected', v1.unknownClient],
      [fleet[4]!.deviceId, 'DeviceRejected', v1.makeModel],
      [fleet[5]!.deviceId, 'DeviceRejected', v1.version],
      // v1 devices need not be connected: they are pushed (R-FLOW-1).
      [fleet[6]!.deviceId, 'Accepted', v1.accepted],
      ['never-seen', 'DeviceRejected', v1.notFound],
    ]);
    const rows = [...s.driver.folded<DeviceRow>('campaign_devices').values()];
    expect(rows.map((r) => r.deviceId)).toEqual([...fleet.map((d) => d.deviceId), 'never-seen']);
  });

  it('R-REQ-4: a v2 (HTTP) request rejects a device that is not connected, with the v2 wording', () => {
    const fleet = fleetOf('v2-', 'HTTP', [{}, {}, {}]);
    const s = new Scenario(fleet);
    checkInAs(s, fleet, [{}, { connected: false }, { softwareVersion: '0.9.0', firmwareVersion: '0.9.0' }]);
    s.schedule(scheduleFor('k2', fleet));

    expect(s.decisions('k2')).toEqual([
      [fleet[0]!.deviceId, 'Accepted', details.V2.accepted],
      [fleet[1]!.deviceId, 'DeviceRejected', details.V2.notConnected],
      [fleet[2]!.deviceId, 'DeviceRejected', details.V2.version],
    ]);
  });

  it('R-DEV-1: a check-in\'s identity, make, model, protocol, versions, client type, flags and radio become the device\'s inventory entry and a row of its check-in history', () => {
    const [d] = fleetOf('inv-', 'LWM2M', [{}]);
    const s = new Scenario([d!]);

    const checkin = checkinAt(d!, T0);
    expect(s.driver.state<DeviceState>('device', d!.deviceId)!.profile).toEqual(checkin);
    expect(checkin).toMatchObject({ imei: expect.stringMatching(/^\d{15}$/), protocol: 'LWM2M', clientType: 'LWM2M_CLIENT', fotaCapable: true, connected: true, radio: { cellId: d!.cellId, rsrp: d!.rsrp, sinr: d!.sinr } });
    expect([...s.driver.folded<Checkin>('device_checkins').values()]).toEqual([checkin]);
  });

  it('R-DEV-2: the latest check-in is the device\'s state: a newer one changes its decision, an older one delivered late changes nothing, and a device never seen is not found', () => {
    const fleet = fleetOf('latest-', 'LWM2M', [{}, {}]);
    const s = new Scenario(fleet);
    s.driver.advanceWallClockTime(HOUR);
    // Device 0 moved to an unsupported version; device 1's stale check-in from before arrives late.
    checkInAs(s, fleet, [{ firmwareVersion: '0.9.0' }, { firmwareVersion: '0.9.0', at: T0 - HOUR }]);
    s.schedule(scheduleFor('k1', fleet, { fromVersions: ['1.0.0'] }, ['ghost']));

    expect(s.decisions('k1')).toEqual([
      [fleet[0]!.deviceId, 'DeviceRejected', details.V1.version],
      [fleet[1]!.deviceId, 'Accepted', details.V1.accepted],
      ['ghost', 'DeviceRejected', details.V1.notFound],
    ]);
  });

  it('R-DEV-3, R-REQ-4: two campaigns naming the same devices at the same instant: each device accepts exactly one and rejects the other with "Task Conflict"; once its task is done it can be offered again', () => {
    const fleet = fleetOf('claim-', 'LWM2M', Array(6).fill({}));
    const s = new Scenario(fleet);
    // Both requests are in before any device answers: neither campaign has finished.
    for (const id of ['ka', 'kb']) s.driver.pipeInput('campaign-commands', id, { ...scheduleFor(id, fleet), at: s.driver.now });
    s.devices.answer(s.driver);

    for (const d of fleet) {
      const mine = s.decisions().filter(([deviceId]) => deviceId === d.deviceId);
      expect(mine.map(([, status]) => status).sort(), d.deviceId).toEqual(['Accepted', 'DeviceRejected']);
      expect(mine.find(([, status]) => status === 'DeviceRejected')![2]).toBe(details.V1.taskConflict);
    }
    expect(s.results().map((r) => r.status)).toEqual(fleet.map(() => 'UpgradeSuccess'));

    // Upgraded, the devices check in with the new version.
    s.checkIn().schedule(scheduleFor('kc', fleet, { fromVersions: ['2.0.0'], targetVersion: '3.0.0' }));
    expect(s.decisions('kc').map(([, status]) => status)).toEqual(fleet.map(() => 'Accepted'));
  });

  it('R-REQ-1: the request\'s make, model, from-versions, target, package kind and package reach every device\'s offer and delivery; a SOFTWARE package is checked against the software version', () => {
    const fleet = fleetOf('req-', 'LWM2M', [{}, {}]);
    const s = new Scenario(fleet);
    checkInAs(s, fleet, [{ softwareVersion: '7.0' }, { softwareVersion: '6.0' }]);
    const command = scheduleFor('k1', fleet, { packageKind: 'SOFTWARE', fromVersions: ['7.0'], targetVersion: '8.0' });
    s.schedule(command);
    const request = command.request!;

    expect(offers(s).map((o) => o.value)).toEqual(
      fleet.map((d) => expect.objectContaining({ deviceId: d.deviceId, make: request.make, model: request.model, fromVersions: ['7.0'], targetVersion: '8.0', packageKind: 'SOFTWARE', package: request.package })),
    );
    expect(s.decisions('k1').map(([, status, detail]) => [status, detail])).toEqual([
      ['Accepted', details.V1.accepted],
      ['DeviceRejected', details.V1.version],
    ]);
    expect(s.commandsTo(fleet[0]!.deviceId).find((c) => c.kind === 'DELIVER_PACKAGE')!.command.package).toMatchObject(request.package);
  });

  it('R-REQ-2: an LwM2M device is started only inside the campaign\'s daily window, in its time zone and on its weekdays', () => {
    const fleet = fleetOf('win-', 'LWM2M', [{}]);
    // T0 is Wednesday 17:30 in Berlin (CEST): the next window opens Thursday 09:00 local, 07:00 UTC.
    const window = { start: '09:00', end: '11:30', timeZone: 'Europe/Berlin', weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'] };
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule: { window } })).advance(2 * 24 * HOUR);

    const commands = s.commandsTo(fleet[0]!.deviceId);
    expect(iso(commands[0]!.at)).toBe('2026-06-11T07:00:00.000Z');
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', at: Date.UTC(2026, 5, 11, 7) });
  });

  it('R-REQ-2, R-REQ-5: a v2 FUTURE request without an end date fails at once with the reason (a failing v2 request bypasses RequestPending)', () => {
    const fleet = fleetOf('noend-', 'HTTP', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet, { schedule: { kind: 'FUTURE', startAt: T0 + 24 * HOUR } }));

    expect(s.transitions('k2')).toEqual(['null->RequestFailed']);
    expect(s.lastTransition('k2')!.reason).toBe('schedule.endAt is required for a v2 (HTTP) FUTURE campaign');
    expect(offers(s)).toEqual([]);
  });

  it.each([
    [{ attempts: 6, intervalMinutes: 5 }, 'retry.attempts must be 0–5, got 6'],
    [{ attempts: 2, intervalMinutes: 0 }, 'retry.intervalMinutes must be 1–1440, got 0'],
    [{ attempts: 2, intervalMinutes: 1441 }, 'retry.intervalMinutes must be 1–1440, got 1441'],
    [{ attempts: -1, intervalMinutes: 5 }, 'retry.attempts must be 0–5, got -1'],
  ])('R-REQ-3, R-REQ-5: a retry policy out of range (%j) is a failed request with the reason, not clamped, and no device is offered it', (retry, reason) => {
    const fleet = fleetOf('retry-', 'LWM2M', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { retry }));

    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(s.lastTransition('k1')!.reason).toBe(reason);
    expect(offers(s)).toEqual([]);
  });

  it('R-REQ-3: the bounds themselves (5 attempts, 1440 minutes) are a valid policy', () => {
    const fleet = fleetOf('bounds-', 'LWM2M', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { retry: { attempts: 5, intervalMinutes: 1440 } }));
    expect(s.lastTransition('k1')!.to).toBe('Finished');
  });

  it.each<[string, RequestChanges, string | RegExp]>([
    ['a start date in the past', { schedule: { kind: 'FUTURE', startAt: T0 - 24 * HOUR } }, `schedule.startAt ${iso(T0 - 24 * HOUR)} is in the past`],
    ['an empty make', { make: ' ' }, 'make is empty'],
    ['an invalid package', { package: { url: 'ftp://fw.example/x.bin', sizeBytes: 10, checksum: 'sha256:00' } }, /^package\.url "ftp:\/\/fw\.example\/x\.bin" is not an http\(s\) URL$/],
    ['an api that does not drive the protocol', { api: 'V2' }, 'api V2 does not drive LWM2M devices (v1: LWM2M, OMA_DM; v2: HTTP, MQTT)'],
  ])('R-REQ-5: a request with %s moves the campaign to RequestFailed with the reason and offers nothing', (_what, changes, reason) => {
    const fleet = fleetOf('bad-', 'LWM2M', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, changes));

    expect(s.lastTransition('k1')!.to).toBe('RequestFailed');
    expect(s.lastTransition('k1')!.reason).toMatch(reason);
    expect(offers(s)).toEqual([]);
  });

  it('R-REQ-5: a request no device accepts fails with "no device was accepted"', () => {
    const fleet = fleetOf('none-', 'LWM2M', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { model: 'Other' }));

    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(s.lastTransition('k1')!.reason).toBe('no device was accepted');
    expect(s.driver.outputs('device-commands')).toEqual([]);
  });
});
