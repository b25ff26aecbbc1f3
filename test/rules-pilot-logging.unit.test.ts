import { describe, expect, it } from 'vitest';
import type { Checkin } from '../contracts/device-checkins.ts';
import type { PilotEvent } from '../contracts/pilot-events.ts';
import type { VerboseEvent } from '../contracts/verbose-events.ts';
import { generateFleet, type SimDevice } from '../scripts/fleet/fleet.ts';
import { details } from '../services/device/acceptance.ts';
import { httpClientCodes } from '../services/device/task.ts';
import { DAY, HOUR, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';

/** `n` HTTP devices; the first `failing` report an unknown error instead of installing (final, R-RES-3). */
const httpFleet = (idPrefix: string, n: number, failing = 0): SimDevice[] =>
  generateFleet({ devices: n, cells: 1, idPrefix, protocols: ['HTTP'] }).map((d, i) => (i < failing ? { ...d, clientFailure: httpClientCodes.unknown } : d));

const commandAnswers = (s: Scenario, type: string) => s.events().filter((e) => e.type !== 'STATE_CHANGED' && e.reason?.startsWith(type)).map((e) => [e.type, e.reason]);
const kinds = (s: Scenario, deviceId: string) => s.commandsTo(deviceId).map((c) => `${c.kind} ${new Date(c.at).toISOString()}`);

describe('pilot campaigns on the in-memory topology', () => {
  it('R-PILOT-1, R-PILOT-2: before any pilot succeeded, an HTTP campaign of 21 devices fails with "pilot campaign required" and offers nothing, while pilots of up to 20 devices run side by side', () => {
    const big = httpFleet('big-', 21);
    const pilots = [httpFleet('p1-', 20), httpFleet('p2-', 3)];
    const s = new Scenario([...big, ...pilots.flat()]).schedule(scheduleFor('big', big));
    pilots.forEach((fleet, i) => s.schedule(scheduleFor(`pilot-${i}`, fleet)));

    expect(s.transitions('big')).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(s.lastTransition('big')!.reason).toBe('pilot campaign required');
    expect(s.decisions('big')).toEqual([]);
    for (const id of ['pilot-0', 'pilot-1']) expect(s.lastTransition(id)!.to, id).toBe('Scheduled');
  });

  it('R-PILOT-2: the gate opens once a pilot of at least 5 accepted devices reaches 50 % successes; after that a campaign of 25 devices runs', () => {
    const s = new Scenario([...httpFleet('few-', 4), ...httpFleet('half-', 6, 4), ...httpFleet('good-', 5, 2), ...httpFleet('big-', 25)]);
    const open = () => s.driver.outputs<PilotEvent>('pilot-events').some((e) => e.value.gateOpen);
    // 4 of 4 (too few devices), then 2 of 6 (33 %): still closed.
    s.schedule(scheduleFor('few', httpFleet('few-', 4))).checkIn();
    s.schedule(scheduleFor('half', httpFleet('half-', 6, 4))).checkIn();
    expect(open()).toBe(false);

    // 3 of 5 (60 %) opens it.
    s.schedule(scheduleFor('good', httpFleet('good-', 5, 2))).checkIn();
    expect(s.driver.outputs<PilotEvent>('pilot-events').find((e) => e.value.type === 'gate-opened')?.value).toMatchObject({ campaignId: 'good', accepted: 5, succeeded: 3, rate: 0.6 });

    s.schedule(scheduleFor('big', httpFleet('big-', 25))).checkIn();
    expect(s.decisions('big').filter(([, status]) => status === 'Accepted')).toHaveLength(25);
    expect(s.results('big').map((r) => r.status)).toEqual(Array(25).fill('UpgradeSuccess'));
  });

  it('R-PILOT-3: the pilot_success projection holds, per make+model+target and pilot, accepted, succeeded, failed, rate and whether the gate is open', () => {
    const s = new Scenario([...httpFleet('a-', 5, 1), ...httpFleet('b-', 4, 3)]);
    s.schedule(scheduleFor('pa', httpFleet('a-', 5, 1))).checkIn();
    s.schedule(scheduleFor('pb', httpFleet('b-', 4, 3))).checkIn();

    const rows = [...s.driver.folded<PilotEvent>('pilot_success').values()].map((e) => [e.make, e.model, e.targetVersion, e.campaignId, e.accepted, e.succeeded, e.failed, e.rate, e.gateOpen]);
    expect(rows).toEqual([
      ['Acme', 'Sensor-1', '2.0.0', 'pa', 5, 4, 1, 0.8, true],
      ['Acme', 'Sensor-1', '2.0.0', 'pb', 4, 1, 3, 0.25, true],
    ]);
  });
});

describe('verbose logging on the in-memory topology', () => {
  it('R-LOG-1: verbose logging is on for at most 20 devices at a time: a request that would pass 20 is refused, and a device turned off makes room', () => {
    const fleet = httpFleet('log-', 22);
    const ids = fleet.map((d) => d.deviceId);
    const s = new Scenario(fleet).command('ops', 'ENABLE_VERBOSE_LOGGING', ids.slice(0, 20)).command('ops', 'ENABLE_VERBOSE_LOGGING', ids.slice(20, 21));
    s.command('ops', 'DISABLE_VERBOSE_LOGGING', ids.slice(0, 1)).command('ops', 'ENABLE_VERBOSE_LOGGING', ids.slice(20, 21));

    expect(commandAnswers(s, 'ENABLE').map(([type]) => type)).toEqual(['COMMAND_ACCEPTED', 'COMMAND_REFUSED', 'COMMAND_ACCEPTED']);
    expect(commandAnswers(s, 'ENABLE')[1]![1]).toBe('ENABLE_VERBOSE_LOGGING: verbose logging is limited to 20 devices at a time; 20 are on and 1 more were asked for');
  });

  it('R-LOG-1: a device starts collecting at its next check-in, its logs can be fetched 24 h later, logging turns off by itself after 7 days and the session is purged 30 days after collection began', () => {
    const [d] = httpFleet('col-', 1);
    const id = d!.deviceId;
    const s = new Scenario([d!]).command('ops', 'ENABLE_VERBOSE_LOGGING', [id]);
    expect(s.commandsTo(id)).toEqual([]);

    s.advance(HOUR).checkIn();
    const collecting = T0 + HOUR;
    s.advance(23 * HOUR).command('ops', 'FETCH_VERBOSE_LOGS', [id]);
    s.advance(HOUR).command('ops', 'FETCH_VERBOSE_LOGS', [id]);
    s.advance(31 * DAY);

    expect(kinds(s, id)).toEqual([`START_LOG_COLLECTION ${new Date(collecting).toISOString()}`, `STOP_LOG_COLLECTION ${new Date(T0 + 7 * DAY).toISOString()}`]);
    expect(commandAnswers(s, 'FETCH')).toEqual([
      ['COMMAND_REFUSED', `FETCH_VERBOSE_LOGS: ${id}'s logs can be fetched from ${new Date(collecting + DAY).toISOString()}`],
      ['COMMAND_ACCEPTED', 'FETCH_VERBOSE_LOGS: logs of 1 devices can be fetched'],
    ]);
    expect(s.driver.outputs<VerboseEvent>('verbose-events').map((e) => [e.value.type, e.at - T0])).toEqual([
      ['enabled', 0],
      ['collecting', HOUR],
      ['off', 7 * DAY],
      ['purged', HOUR + 30 * DAY],
    ]);
    expect([...s.driver.folded<VerboseEvent>('verbose_logging').values()]).toEqual([expect.objectContaining({ deviceId: id, type: 'purged', collectingSince: collecting, offAt: T0 + 7 * DAY })]);
  });

  it('R-LOG-1: the check-in history keeps each check-in of a device once, however often it is delivered', () => {
    const [d] = httpFleet('hist-', 1);
    const s = new Scenario([d!]);
    const first = s.driver.state<{ profile: Checkin }>('device', d!.deviceId)!.profile;
    s.driver.pipeInput('device-checkins', d!.deviceId, first);
    s.advance(HOUR).checkIn();

    expect([...s.driver.folded<Checkin>('device_checkins').values()].map((c) => [c.deviceId, c.at])).toEqual([
      [d!.deviceId, T0],
      [d!.deviceId, T0 + HOUR],
    ]);
  });

  it('R-LOG-1, R-DEV-3: a device collecting logs has a task running, so a campaign offered to it rejects it with "Task Conflict"', () => {
    const fleet = httpFleet('busy-', 2);
    const s = new Scenario(fleet).command('ops', 'ENABLE_VERBOSE_LOGGING', [fleet[0]!.deviceId]).checkIn();
    s.schedule(scheduleFor('k2', fleet));

    expect(s.decisions('k2')).toEqual([
      [fleet[0]!.deviceId, 'DeviceRejected', details.V2.taskConflict],
      [fleet[1]!.deviceId, 'Accepted', details.V2.accepted],
    ]);
  });
});
