import { describe, expect, it } from 'vitest';
import type { CampaignState } from '../services/campaign/campaign-actor.ts';
import type { CampaignDelta } from '../services/projector/campaigns/index.ts';
import { resultDetails, stepTimeouts } from '../services/device/task.ts';
import type { DeviceCommand } from '../contracts/device-commands.ts';
import { HOUR, MIN, fleetOf, Scenario, scheduleFor, T0, type RequestChanges } from './support/driver-campaigns.ts';

/** When each device got its first command: when it started (R-SAFE-2). */
function starts(s: Scenario): Map<string, number> {
  const first = new Map<string, number>();
  for (const c of s.driver.outputs<DeviceCommand>('device-commands')) if (!first.has(c.value.deviceId)) first.set(c.value.deviceId, c.at);
  return first;
}

/** The most devices that started within any 60 seconds. */
function peakPerMinute(s: Scenario): number {
  const at = [...starts(s).values()].sort((a, b) => a - b);
  return Math.max(0, ...at.map((t, i) => at.slice(i).filter((u) => u < t + MIN).length));
}

const capped = (maxPerMinute: number, more: RequestChanges = {}): RequestChanges => ({ rate: { maxPerMinute, ramp: null }, ...more });
const eventsOf = (s: Scenario, type: string) => s.events('k1').filter((e) => e.type === type);

describe('rollout safety on the in-memory topology', () => {
  it('R-SAFE-4: a paused campaign starts no device while those started finish; RESUME starts the rest; the end date still applies while paused', () => {
    const fleet = fleetOf('pause-', 'LWM2M', Array.from({ length: 6 }, () => ({})));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, capped(2)));
    expect(starts(s).size).toBe(2);
    s.command('k1', 'PAUSE').advance(10 * MIN);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Paused', reason: 'paused by user' });
    expect(starts(s).size).toBe(2);
    expect(s.results('k1').map((r) => r.status)).toEqual(['UpgradeSuccess', 'UpgradeSuccess']);

    s.command('k1', 'RESUME');
    expect(s.lastTransition('k1')).toMatchObject({ from: 'Paused', to: 'InProgress', reason: 'resumed by user' });
    expect(starts(s).size).toBe(4);
    s.advance(2 * MIN);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Finished', reason: 'every device is final' });
    expect(s.events('k1').filter((e) => e.type === 'COMMAND_REFUSED')).toEqual([]);

    const ends = fleetOf('pause-end-', 'LWM2M', [{}, {}, {}]);
    const e = new Scenario(ends).schedule(scheduleFor('k1', ends, capped(1, { schedule: { endAt: T0 + HOUR } }))).command('k1', 'PAUSE').command('k1', 'PAUSE').advance(2 * HOUR);
    expect(e.events('k1').filter((x) => x.type === 'COMMAND_REFUSED').map((x) => x.reason)).toEqual(['PAUSE: only a running campaign can be paused; it is Paused']);
    expect(e.lastTransition('k1')).toMatchObject({ from: 'Paused', to: 'Finished', reason: 'end date reached', at: T0 + HOUR });
    expect(e.results('k1').map((r) => [r.status, r.detail])).toEqual([
      ['UpgradeSuccess', resultDetails.success.V1],
      ['UpgradeFailed', 'Firmware update to device failed.'],
      ['UpgradeFailed', 'Firmware update to device failed.'],
    ]);
    expect(e.results('k1').slice(1).map((r) => r.cause)).toEqual([resultDetails.endedBeforeStart, resultDetails.endedBeforeStart]);
  });

  it('R-SAFE-1: failures past the abort threshold abort the campaign with the criterion; devices mid-upgrade finish and the rest never start', () => {
    const fleet = fleetOf('abort-', 'LWM2M', [{ resultCode: 8 }, { resultCode: 8 }, { silentOn: ['UPGRADE'] }, { resultCode: 8 }, {}, {}, {}, {}]);
    const abortCriteria = [{ failureKind: 'FAILED' as const, thresholdPercent: 50, minFinished: 3 }];
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, capped(4, { abortCriteria })));

    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Aborted', reason: 'abort criteria met: 100 % of 3 finished devices failed, threshold 50 %' });
    const byDevice = new Map(s.results('k1').map((r) => [r.deviceId, r]));
    for (const d of fleet.slice(4)) expect(byDevice.get(d.deviceId), d.deviceId).toMatchObject({ status: 'CampaignCancelled', detail: resultDetails.halted });
    expect(starts(s).size).toBe(4);
    // The device mid-upgrade goes on until its own result: its wait runs out, and no retry follows.
    expect(byDevice.has(fleet[2]!.deviceId)).toBe(false);
    s.advance(HOUR);
    expect(s.resultOf(fleet[2]!.deviceId, 'k1')).toMatchObject({ status: 'UpgradeFailed', cause: stepTimeouts.update!.cause, attempt: 1 });
    expect(s.driver.state<CampaignState>('campaign', 'k1')).toMatchObject({ status: 'Aborted', failed: 4, cancelled: 4 });
  });

  it('R-SAFE-1: a v2 campaign aborted by its criteria ends the devices it had not started with CampaignAborted', () => {
    const fleet = fleetOf('abort-v2-', 'MQTT', [{ resultCode: 8 }, { resultCode: 8 }, {}, {}, {}, {}]);
    const abortCriteria = [{ failureKind: 'ANY' as const, thresholdPercent: 50, minFinished: 2 }];
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, capped(2, { abortCriteria }))).advance(10 * MIN);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Aborted', reason: 'abort criteria met: 100 % of 2 finished devices failed or timed out, threshold 50 %' });
    expect(s.results('k1').map((r) => [r.status, r.detail])).toEqual([
      ['UpgradeFailed', 'Firmware update failed'],
      ['UpgradeFailed', 'Firmware update failed'],
      ...Array.from({ length: 4 }, () => ['CampaignAborted', resultDetails.halted]),
    ]);
    expect(starts(s).size).toBe(2);
  });

  it('R-SAFE-2: no more devices start in any minute than the cap, measured from device commands, and every start is an event with the rate', () => {
    const fleet = fleetOf('rate-', 'LWM2M', Array.from({ length: 10 }, () => ({})));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, capped(3))).advance(10 * MIN);
    expect(peakPerMinute(s)).toBe(3);
    expect([...starts(s).values()].map((t) => (t - T0) / MIN)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    expect(eventsOf(s, 'DEVICES_RELEASED').map((e) => [e.released, e.ratePerMinute, e.reason])).toEqual([
      [3, 3, '3 devices may start at 3/min'],
      [3, 3, '3 devices may start at 3/min'],
      [3, 3, '3 devices may start at 3/min'],
      [1, 3, '1 devices may start at 3/min'],
    ]);
    expect(s.lastTransition('k1')!.to).toBe('Finished');
  });

  it('R-SAFE-2: devices that reject the campaign take no start: every minute starts the cap in devices that accepted', () => {
    const fleet = fleetOf('rate-rej-', 'LWM2M', Array.from({ length: 6 }, () => ({})));
    const command = scheduleFor('k1', fleet, capped(2));
    // An unknown device after every second one: each is rejected ("not found") and skipped by its part.
    const deviceIds = command.deviceIds.flatMap((id, i) => (i % 2 === 1 ? [id, `unknown-${i}`] : [id]));
    const s = new Scenario(fleet).schedule({ ...command, deviceIds }).advance(10 * MIN);
    expect(s.driver.state<CampaignState>('campaign', 'k1')).toMatchObject({ accepted: 6, rejected: 3, status: 'Finished' });
    expect([...starts(s).values()].map((t) => (t - T0) / MIN)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(eventsOf(s, 'DEVICES_RELEASED').map((e) => e.released)).toEqual([2, 2, 2]);
  });

  it('R-SAFE-2: an exponential ramp raises the rate by its factor each time enough devices were notified, up to the cap, each raise an event naming why', () => {
    const fleet = fleetOf('ramp-', 'LWM2M', Array.from({ length: 16 }, () => ({})));
    const rate = { maxPerMinute: 8, ramp: { basePerMinute: 2, factor: 2, every: 4, counting: 'NOTIFIED' as const } };
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { rate })).advance(10 * MIN);
    const perMinute = [...starts(s).values()].reduce((m, t) => m.set((t - T0) / MIN, (m.get((t - T0) / MIN) ?? 0) + 1), new Map<number, number>());
    // Minute 1: two start at 2/min, which makes four notified and the rate 4/min: two more fit.
    expect([...perMinute]).toEqual([[0, 2], [1, 4], [2, 8], [3, 2]]);
    expect(peakPerMinute(s)).toBe(8);
    expect(eventsOf(s, 'RATE_CHANGED').map((e) => e.reason)).toEqual([
      'start rate 2/min (cap 8/min)',
      'start rate raised from 2/min to 4/min after 4 devices notified (cap 8/min)',
      'start rate raised from 4/min to 8/min after 10 devices notified (cap 8/min)',
    ]);
  });

  it('R-SAFE-3: waves by list start one after another; a wave that misses its success threshold pauses the campaign with the reason; RESUME starts the next', () => {
    const fleet = fleetOf('waves-', 'LWM2M', [{}, {}, {}, {}, { resultCode: 8 }, {}, {}, {}, {}]);
    const ids = fleet.map((d) => d.deviceId);
    const waves = [
      { percent: null, deviceIds: ids.slice(0, 3), successThresholdPercent: 100 },
      { percent: null, deviceIds: ids.slice(3, 6), successThresholdPercent: 90 },
      { percent: null, deviceIds: [], successThresholdPercent: 0 },
    ];
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { waves }));
    expect(eventsOf(s, 'WAVE_COMPLETED').map((e) => [e.wave, e.reason])).toEqual([
      [1, 'wave 1 of 3 met its success threshold: 100 % of 3 final results succeeded, threshold 100 %'],
      [2, 'wave 2 of 3 missed its success threshold: 67 % of 3 final results succeeded, threshold 90 %'],
    ]);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'InProgress', to: 'Paused', reason: 'wave 2 of 3 missed its success threshold: 67 % of 3 final results succeeded, threshold 90 %' });
    expect([...starts(s).keys()].sort()).toEqual(ids.slice(0, 6).sort());
    s.advance(HOUR);
    expect(starts(s).size).toBe(6);

    s.command('k1', 'NEXT_WAVE').command('k1', 'RESUME');
    expect(eventsOf(s, 'COMMAND_REFUSED').map((e) => e.reason)).toEqual(['NEXT_WAVE: wave 2 missed its threshold and paused the campaign: RESUME starts the next wave']);
    expect(eventsOf(s, 'WAVE_STARTED').map((e) => e.reason)).toEqual(['wave 2 of 3 starts: wave 1 met its success threshold', 'wave 3 of 3 starts: resumed by user after wave 2 missed its threshold']);
    expect(starts(s).size).toBe(9);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Finished' });
  });

  it('R-SAFE-3: waves by percent; with manualNextWave a wave that met its threshold waits for NEXT_WAVE', () => {
    const fleet = fleetOf('manual-', 'LWM2M', Array.from({ length: 10 }, () => ({})));
    const waves = [20, 30].map((percent) => ({ percent, deviceIds: [], successThresholdPercent: 80 }));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { waves, manualNextWave: true }));
    expect(starts(s).size).toBe(2);
    expect(eventsOf(s, 'WAVE_COMPLETED').at(-1)!.reason).toBe('wave 1 of 2 met its success threshold (100 % of 2 final results succeeded, threshold 80 %); the next wave waits for NEXT_WAVE');
    s.advance(HOUR);
    expect(starts(s).size).toBe(2);
    s.command('k1', 'NEXT_WAVE');
    expect(starts(s).size).toBe(10);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Finished' });
    s.command('k1', 'NEXT_WAVE');
    expect(eventsOf(s, 'COMMAND_REFUSED').map((e) => e.reason)).toEqual(['NEXT_WAVE: no wave waits for NEXT_WAVE; the campaign is Finished, in wave 2 of 2']);
  });

  it('R-SAFE-6: a running campaign publishes its estimated completion from its cells, its rate and its waves, and the campaigns projection holds it', () => {
    const fleet = fleetOf('estimate-', 'LWM2M', Array.from({ length: 8 }, () => ({})));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, capped(2))).advance(10 * MIN);
    const estimates = eventsOf(s, 'ESTIMATE');
    expect(estimates.length).toBeGreaterThan(0);
    // Four releases a minute apart: the last devices start three minutes after the first.
    expect(estimates[0]!.at).toBe(T0);
    expect(Math.round((estimates[0]!.estimatedEndAt! - T0) / 1000)).toBe(180);
    expect(estimates[0]!.reason).toMatch(/6 devices not released yet at 2\/min/);
    const row = s.driver.folded<CampaignDelta>('campaigns').get('k1')!;
    expect(row).toMatchObject({ estimatedEndAt: estimates.at(-1)!.estimatedEndAt, ratePerMinute: 2, released: 8 });
  });
});
