import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../runtime/actor.ts';
import { describe, expect, it } from 'vitest';
import { profile } from '../../../test/support/device-fixtures.ts';
import { parseCheckin, type Checkin } from '../../../contracts/device-checkins.ts';
import { foldByKey } from '../fold.ts';
import { deviceCheckinsProjection } from './index.ts';

const NOW = Date.UTC(2026, 5, 10, 12);
const context = { now: NOW, maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS };
const checkin = (deviceId: string, at: number, firmwareVersion = '1.0'): Checkin => ({ ...profile, deviceId, at, firmwareVersion });
const parse = (value: unknown, key: string) => deviceCheckinsProjection.parse('device-checkins', value, key, context);

function outcome(parsing: () => unknown): string {
  try {
    parsing();
    return 'taken';
  } catch (e) {
    return (e as Error).message;
  }
}

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
    expect(parse(checkin('a', NOW), 'a')).toEqual(checkin('a', NOW));
  });

  it('R-LOG-1: rejects a check-in whose key is not its deviceId, naming both', () => {
    expect(() => parse(checkin('a', NOW), 'b')).toThrow('device check-in: key "b" is not its deviceId "a"');
  });

  it('R-LOG-1: rejects a check-in without a deviceId or without a check-in time', () => {
    const { deviceId: _d, ...noDevice } = checkin('a', NOW);
    const { at: _a, ...noTime } = checkin('a', NOW);
    expect(() => parse(noDevice, 'a')).toThrow('device check-in: deviceId is empty');
    expect(() => parse(noTime, 'a')).toThrow('device check-in: at must be an epoch-millis timestamp, got undefined');
  });

  it('R-DEV-2: refuses exactly what the device service refuses, with its reason: the history holds only check-ins device actors took', () => {
    const refused: Checkin[] = [
      checkin('a', NOW + 10 * 365 * 86_400_000),
      checkin('a', 9e15),
      checkin('a', 5),
      { ...checkin('a', NOW), make: 'Ac\u0000me' },
      { ...checkin('a', NOW), model: '\u0001'.repeat(200_000) },
      { ...checkin('a', NOW), radio: { cellId: 'c1', rsrp: Number.NaN, sinr: 3 } },
    ];
    for (const c of refused) {
      const byDeviceService = outcome(() => parseCheckin(c, 'a', context));
      expect(byDeviceService).not.toBe('taken');
      expect(outcome(() => parse(c, 'a'))).toBe(byDeviceService);
    }
  });
});
