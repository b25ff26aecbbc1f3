import { describe, expect, it } from 'vitest';
import type { CampaignState } from '../services/campaign/campaign-actor.ts';
import { resultDetails } from '../services/device/task.ts';
import { DAY, fleetOf, HOUR, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';

const future = { schedule: { kind: 'FUTURE' as const, startAt: T0 + 2 * DAY, endAt: T0 + 9 * DAY } };

describe('campaign lifecycles on the in-memory topology', () => {
  it('R-LC-1: a queued v1 campaign cancelled before its start is Cancelled, each accepted device gets CampaignCancelled, and none is ever commanded', () => {
    const fleet = fleetOf('cancel-', 'LWM2M', [{}, {}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, future)).command('k1', 'CANCEL').advance(3 * DAY);

    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->Cancelled']);
    expect(s.results('k1').map((r) => [r.deviceId, r.status, r.detail])).toEqual(fleet.map((d) => [d.deviceId, 'CampaignCancelled', resultDetails.cancelled]));
    expect(s.driver.outputs('device-commands')).toEqual([]);
  });

  it('R-LC-1: devices removed before the start leave with CampaignCancelled while the others stay; removing every device cancels the campaign', () => {
    const fleet = fleetOf('remove-', 'LWM2M', [{}, {}, {}]);
    const [a, b, c] = fleet.map((d) => d.deviceId);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, future)).command('k1', 'REMOVE_DEVICES', [a!]);
    expect(s.results('k1').map((r) => [r.deviceId, r.status, r.detail])).toEqual([[a, 'CampaignCancelled', resultDetails.removed]]);
    expect(s.lastTransition('k1')!.to).toBe('Queued');

    s.command('k1', 'REMOVE_DEVICES', [b!, c!]);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'Queued', to: 'Cancelled', reason: 'every device was removed' });
    expect(s.results('k1').map((r) => r.status)).toEqual(['CampaignCancelled', 'CampaignCancelled', 'CampaignCancelled']);
  });

  it('R-LC-1: a v1 campaign with an end date Finishes when it is reached; devices still waiting fail with the cause of their step', () => {
    const fleet = fleetOf('end-', 'LWM2M', [{ offlineUntil: Infinity }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule: { endAt: T0 + 12 * HOUR } })).advance(DAY);

    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Finished', reason: 'end date reached', at: T0 + 12 * HOUR });
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeFailed', cause: 'Waiting for the device online timeout', at: T0 + 12 * HOUR });
  });

  it('R-LC-2: an on-demand v2 campaign bypasses Queued, is InProgress from its first result, and Ends once every device upgraded', () => {
    const fleet = fleetOf('v2-', 'HTTP', [{}, {}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet)).checkIn();

    expect(s.transitions('k2')).toEqual(['null->RequestPending', 'RequestPending->Scheduled', 'Scheduled->InProgress', 'InProgress->Ended']);
    expect(s.lastTransition('k2')!.reason).toBe('every device is final');
  });

  it('R-LC-2: a v2 campaign cancelled while Queued is Cancelled and every device gets CampaignCancelled', () => {
    const fleet = fleetOf('v2c-', 'HTTP', [{}, {}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet, future)).command('k2', 'CANCEL');

    expect(s.transitions('k2')).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->Cancelled']);
    expect(s.results('k2').map((r) => r.status)).toEqual(['CampaignCancelled', 'CampaignCancelled']);
  });

  it('R-LC-2, R-RES-3: a v2 campaign aborted after its start keeps the upgraded devices upgraded, and the rest get CampaignAborted', () => {
    const fleet = fleetOf('abort-', 'HTTP', [{}, { silentOn: ['DELIVER_PACKAGE'] }, { silentOn: ['DELIVER_PACKAGE'] }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet)).checkIn().command('k2', 'ABORT');

    expect(s.lastTransition('k2')).toMatchObject({ from: 'InProgress', to: 'Aborted', reason: 'aborted by user' });
    expect(s.results('k2').map((r) => [r.deviceId, r.status, r.detail])).toEqual([
      [fleet[0]!.deviceId, 'UpgradeSuccess', resultDetails.success.V2],
      [fleet[1]!.deviceId, 'CampaignAborted', resultDetails.aborted],
      [fleet[2]!.deviceId, 'CampaignAborted', resultDetails.aborted],
    ]);
  });

  it('R-LC-3: every transition is an event with from, to, reason and time; refused commands give their reason and leave the campaign as it was', () => {
    const lwm2m = fleetOf('lc3-', 'LWM2M', [{}]);
    const http = fleetOf('lc3h-', 'HTTP', [{}]);
    const s = new Scenario([...lwm2m, ...http]).schedule(scheduleFor('k1', lwm2m)).schedule(scheduleFor('k2', http));
    const before = { k1: s.driver.state<CampaignState>('campaign', 'k1'), k2: s.driver.state<CampaignState>('campaign', 'k2') };

    s.command('k1', 'ABORT').command('k1', 'CANCEL').command('k2', 'CANCEL').command('nope', 'CANCEL');

    for (const e of s.events().filter((x) => x.type === 'STATE_CHANGED')) expect(e).toMatchObject({ to: expect.any(String), reason: expect.any(String), at: T0 });
    expect(s.events().filter((e) => e.type === 'COMMAND_REFUSED').map((e) => [e.campaignId, e.reason])).toEqual([
      ['k1', 'ABORT: ABORT applies to v2 campaigns; cancel a v1 campaign before it starts'],
      ['k1', 'CANCEL: a campaign can be cancelled only before it starts; it is Finished'],
      ['k2', 'CANCEL: a campaign can be cancelled only before it starts; it is Scheduled (use ABORT)'],
      ['nope', 'CANCEL: unknown campaign nope'],
    ]);
    expect({ k1: s.driver.state('campaign', 'k1'), k2: s.driver.state('campaign', 'k2') }).toEqual(before);
    expect(s.driver.state('campaign', 'nope')).toBeUndefined();
  });
});
