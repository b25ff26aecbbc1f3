import { describe, expect, it } from 'vitest';
import { httpClientCodes, stepTimeouts, v1FailureDetails } from '../services/device/task.ts';
import { DAY, fleetOf, HOUR, iso, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';

/** 2026-06-12, two days after T0. */
const START_DAY = Date.UTC(2026, 5, 12);

describe('time-driven campaign transitions on the simulated clock', () => {
  it('R-LC-4, R-LC-1: a future v1 campaign is Queued until 00:00 UTC of its start day, then InProgress, and its devices are pushed then', () => {
    const fleet = fleetOf('fut-', 'LWM2M', [{ offlineUntil: Infinity }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule: { kind: 'FUTURE', startAt: START_DAY + 9 * HOUR } }));
    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->Queued']);

    s.advanceTo(START_DAY - 1);
    expect(s.transitions('k1').at(-1)).toBe('RequestPending->Queued');
    expect(s.commandsTo(fleet[0]!.deviceId)).toEqual([]);

    s.advance(1);
    expect(s.lastTransition('k1')).toMatchObject({ from: 'Queued', to: 'InProgress', reason: 'start date reached', at: START_DAY });
    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => `${c.kind} ${iso(c.at)}`)).toEqual(['PUSH 2026-06-12T00:00:00.000Z']);
  });

  it('R-LC-4, R-FLOW-1: in a future v1 campaign a silent LwM2M device is pushed again at 04:00 UTC on three days and fails 24 h after its last push, which finishes the campaign', () => {
    const fleet = fleetOf('silent-', 'LWM2M', [{ offlineUntil: Infinity }, { offlineUntil: Infinity }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule: { kind: 'FUTURE', startAt: START_DAY + 9 * HOUR } })).advanceTo(START_DAY + 5 * DAY);

    for (const d of fleet) {
      expect(s.commandsTo(d.deviceId).map((c) => `${c.kind} ${iso(c.at)}`), d.deviceId).toEqual([
        'PUSH 2026-06-12T00:00:00.000Z',
        'PUSH 2026-06-12T04:00:00.000Z',
        'PUSH 2026-06-13T04:00:00.000Z',
        'PUSH 2026-06-14T04:00:00.000Z',
      ]);
      expect(s.resultOf(d.deviceId)).toMatchObject({ status: 'UpgradeFailed', cause: stepTimeouts.awaitOnline!.cause, detail: v1FailureDetails.notConnected, at: Date.UTC(2026, 5, 15, 4) });
    }
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Finished', reason: 'every device is final', at: Date.UTC(2026, 5, 15, 4) });
  });

  it('R-LC-4, R-LC-1: an on-demand v1 campaign whose devices are all decided starts at once, well within 2 hours', () => {
    const fleet = fleetOf('now-', 'LWM2M', [{ offlineUntil: Infinity }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    expect(s.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress']);
    expect(s.lastTransition('k1')!.at).toBe(T0);
  });

  it('R-LC-2, R-LC-4: an on-demand v2 campaign is Scheduled at once, pushes nothing, and Ends seven days later; devices that never checked in again did not report', () => {
    const fleet = fleetOf('v2-', 'HTTP', [{}, {}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet)).advance(7 * DAY - 1);
    expect(s.transitions('k2')).toEqual(['null->RequestPending', 'RequestPending->Scheduled']);
    expect(s.driver.outputs('device-commands')).toEqual([]);

    s.advance(1);
    expect(s.lastTransition('k2')).toMatchObject({ from: 'Scheduled', to: 'Ended', reason: 'end date reached', at: T0 + 7 * DAY });
    expect(s.results('k2').map((r) => [r.status, r.detail, r.at])).toEqual(fleet.map(() => ['UpgradeFailed', httpClientCodes.didNotReport, T0 + 7 * DAY]));
  });

  it('R-LC-2: a future v2 campaign is Queued until its start date, Scheduled at it (not at 00:00 UTC), and Ended at its end date', () => {
    const fleet = fleetOf('v2f-', 'HTTP', [{}]);
    const startAt = START_DAY + 9 * HOUR;
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet, { schedule: { kind: 'FUTURE', startAt, endAt: startAt + 2 * DAY } })).advanceTo(startAt + 3 * DAY);

    expect(s.events('k2').filter((e) => e.type === 'STATE_CHANGED').map((e) => [e.to, iso(e.at)])).toEqual([
      ['RequestPending', iso(T0)],
      ['Queued', iso(T0)],
      ['Scheduled', '2026-06-12T09:00:00.000Z'],
      ['Ended', '2026-06-14T09:00:00.000Z'],
    ]);
  });

  it('R-FLOW-5, R-LC-4: the campaign\'s start is state: the campaign and device services restarted before it neither lose nor double the start or a push', () => {
    const fleet = fleetOf('restart-', 'LWM2M', [{ offlineUntil: Infinity }]);
    const run = (restart: boolean) => {
      const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule: { kind: 'FUTURE', startAt: START_DAY + 9 * HOUR } }));
      for (let at = T0; at < START_DAY + 2 * DAY; at += 7 * HOUR) {
        s.advanceTo(at);
        if (restart) ['campaign', 'members', 'device'].forEach((service) => s.driver.restart(service));
      }
      return s;
    };
    const [steady, restarted] = [run(false), run(true)];
    expect(steady.commandsTo(fleet[0]!.deviceId)).toHaveLength(3);
    for (const topic of ['campaign-events', 'campaign-parts', 'device-campaign', 'device-commands']) expect(restarted.driver.outputs(topic), topic).toEqual(steady.driver.outputs(topic));
  });
});
