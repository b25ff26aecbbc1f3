import { describe, expect, it } from 'vitest';
import type { DynamicCampaignRecord } from '../contracts/dynamic-campaigns.ts';
import { checkinAt } from '../scripts/fleet/answer.ts';
import type { CampaignState } from '../services/campaign/campaign-actor.ts';
import type { DeviceRow } from '../services/projector/campaign-devices/index.ts';
import type { CampaignDelta } from '../services/projector/campaigns/index.ts';
import { resultDetails } from '../services/device/task.ts';
import { DAY, fleetOf, MIN, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';

const catalog = (s: Scenario) => s.driver.outputs<DynamicCampaignRecord>('dynamic-campaigns').map((r) => `${r.value.type} ${r.key}`);
const joinedDynamically = (s: Scenario, campaignId: string) =>
  s.events(campaignId).filter((e) => e.type === 'DEVICE_DECISION' && e.reason?.startsWith('joined dynamically')).map((e) => [e.deviceId, e.deviceStatus]);

describe('dynamic campaigns on the in-memory topology', () => {
  it('R-SAFE-5: until its end, free devices checking in with its make, model and a from-version are offered a dynamic campaign, upgrade and count as members; no other device is', () => {
    const [member, late1, late2, otherModel, otherVersion, busy] = fleetOf('dyn-', 'LWM2M', [{}, {}, {}, { model: 'Other' }, { firmwareVersion: '0.9.0' }, {}]);
    const s = new Scenario([member!, late1!, late2!, otherModel!, otherVersion!, busy!]);
    // R-DEV-3: `busy` is accepted in a campaign that starts in three days.
    s.schedule(scheduleFor('k2', [busy!], { schedule: { kind: 'FUTURE', startAt: T0 + 3 * DAY } }));
    const endAt = T0 + DAY;
    s.schedule(scheduleFor('k1', [member!], { dynamic: true, fromVersions: ['1.0.0'], schedule: { endAt } }));
    expect(catalog(s)).toEqual(['open k1']);
    expect(s.resultOf(member!.deviceId, 'k1').status).toBe('UpgradeSuccess');
    // Its one device is final, yet a dynamic campaign runs on to its end date.
    expect(s.lastTransition('k1')).toMatchObject({ to: 'InProgress' });

    s.advance(MIN).checkIn();
    expect(joinedDynamically(s, 'k1')).toEqual([
      [late1!.deviceId, 'Accepted'],
      [late2!.deviceId, 'Accepted'],
    ]);
    expect(s.decisions('k1').map(([d]) => d)).toEqual([member!.deviceId, late1!.deviceId, late2!.deviceId]);
    for (const d of [late1!, late2!]) expect(s.resultOf(d.deviceId, 'k1')).toMatchObject({ status: 'UpgradeSuccess', toVersion: '2.0.0' });
    expect(s.driver.state<CampaignState>('campaign', 'k1')).toMatchObject({ status: 'InProgress', deviceCount: 3, offered: 3, accepted: 3, succeeded: 3, joined: 2 });
    // The projections show them like the listed device.
    expect(s.driver.folded<CampaignDelta>('campaigns').get('k1')).toMatchObject({ deviceCount: 3, accepted: 3, succeeded: 3 });
    for (const d of [member!, late1!, late2!]) expect(s.driver.folded<DeviceRow>('campaign_devices').get(`k1\u0000${d.deviceId}`), d.deviceId).toMatchObject({ decision: 'Accepted', status: 'UpgradeSuccess' });

    // Upgraded, they no longer match; nobody else ever did.
    s.advance(MIN).checkIn();
    expect(s.decisions('k1')).toHaveLength(3);
    expect(s.events('k2').filter((e) => e.type === 'DEVICE_DECISION').map((e) => e.deviceStatus)).toEqual(['Accepted']);

    s.advanceTo(endAt);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Finished', reason: 'end date reached', at: endAt });
    expect(catalog(s)).toEqual(['open k1', 'closed k1']);
    // After its end a matching, free device that checks in is not offered it.
    s.driver.pipeInput('device-checkins', 'dyn-new', checkinAt({ ...late1!, deviceId: 'dyn-new', firmwareVersion: '1.0.0' }, s.driver.now));
    expect(s.decisions('k1')).toHaveLength(3);
    expect(s.driver.state('device', 'dyn-new')).toMatchObject({ task: null });
  });

  it('R-SAFE-5, R-SAFE-1, R-SAFE-2: a dynamic campaign of no listed device starts its joiners at its rate; met abort criteria halt those not started and withdraw it', () => {
    const fleet = fleetOf('dyn-abort-', 'MQTT', Array.from({ length: 4 }, () => ({ resultCode: 8 })));
    const abortCriteria = [{ failureKind: 'ANY' as const, thresholdPercent: 50, minFinished: 2 }];
    const request = scheduleFor('k1', fleet, { dynamic: true, rate: { maxPerMinute: 1, ramp: null }, abortCriteria, schedule: { endAt: T0 + DAY } });
    const s = new Scenario(fleet).schedule({ ...request, deviceIds: [] });
    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->Scheduled']);

    s.checkIn();
    expect(joinedDynamically(s, 'k1')).toHaveLength(4);
    expect(s.results('k1')).toHaveLength(1);
    s.advance(MIN);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Aborted', reason: 'abort criteria met: 100 % of 2 finished devices failed or timed out, threshold 50 %' });
    expect(s.results('k1').map((r) => [r.status, r.detail])).toEqual([
      ['UpgradeFailed', 'Firmware update failed'],
      ['UpgradeFailed', 'Firmware update failed'],
      ['CampaignAborted', resultDetails.halted],
      ['CampaignAborted', resultDetails.halted],
    ]);
    expect(catalog(s)).toEqual(['open k1', 'closed k1']);
  });

  it('R-SAFE-5: cancelling or aborting a dynamic campaign reaches the devices that joined it', () => {
    const fleet = fleetOf('dyn-cancel-', 'MQTT', [{ silentOn: ['UPGRADE', 'DELIVER_PACKAGE'] }, { silentOn: ['UPGRADE', 'DELIVER_PACKAGE'] }]);
    const request = scheduleFor('k1', fleet, { dynamic: true, schedule: { endAt: T0 + DAY } });
    const s = new Scenario(fleet).schedule({ ...request, deviceIds: [] }).checkIn();
    expect(joinedDynamically(s, 'k1')).toHaveLength(2);
    s.command('k1', 'ABORT');
    expect(s.results('k1').map((r) => [r.deviceId, r.status])).toEqual(fleet.map((d) => [d.deviceId, 'CampaignAborted']));
    expect(s.driver.state<CampaignState>('campaign', 'k1')).toMatchObject({ status: 'Aborted', accepted: 2, aborted: 2 });
    expect(catalog(s)).toEqual(['open k1', 'closed k1']);
  });
});
