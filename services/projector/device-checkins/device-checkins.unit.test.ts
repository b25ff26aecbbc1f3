import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../runtime/actor.ts';
import { describe, expect, it } from 'vitest';
import { profile } from '../../../test/support/device-fixtures.ts';
import type { Checkin } from '../../device/messages.ts';
import { foldByKey } from '../fold.ts';
import { deviceCheckinsProjection } from './index.ts';

const checkin = (deviceId: string, at: number, firmwareVersion = '1.0'): Checkin => ({ ...profile, deviceId, at, firmwareVersion });
const parse = (value: unknown, key: string) => deviceCheckinsProjection.parse('device-checkins', value, key, { now: Date.now(), maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS });

describe('device_checkins fold', () => {
  it('R-LOG-1: keeps one row per check-in of each device: a check-in delivered twice collapses, check-ins at other times stay apart', () => {
    const rows = foldByKey(deviceCheckinsProjection, [checkin('a', 1), checkin('a', 2, '1.1'), checkin('a', 1), checkin('b', 1), checkin('a', 2, '1.1')]);
    expect(rows.map((c) => [c.deviceId, c.at, c.firmwareVersion])).toEqual([
      ['a', 1, '1.0'],
      ['a', 2, '1.1'],
      ['b', 1, '1.0'],
    ]);
  });
});

describe('device_checkins parse', () => {
  it('R-LOG-1: takes a check-in keyed by its deviceId', () => {
    expect(parse(checkin('a', 5), 'a')).toEqual(checkin('a', 5));
  });

  it('R-LOG-1: rejects a check-in whose key is not its deviceId, naming both', () => {
    expect(() => parse(checkin('a', 5), 'b')).toThrow('device check-in: key "b" is not its deviceId "a"');
  });

  it('R-LOG-1: rejects a check-in without a deviceId or without a check-in time', () => {
    const { deviceId: _d, ...noDevice } = checkin('a', 5);
    const { at: _a, ...noTime } = checkin('a', 5);
    expect(() => parse(noDevice, 'a')).toThrow('device check-in: deviceId is empty');
    expect(() => parse(noTime, 'a')).toThrow('device check-in: "at" must be a positive epoch-millis timestamp');
  });
});
