import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CLOCK_SKEW_MS, InvalidMessage } from '../services/runtime/actor.ts';
import { fieldsOf, show, stringRules } from './fields.ts';
import { EARLIEST_TIMESTAMP, MAX_ID_CHARS, MAX_NAME_CHARS, SHOWN_CHARS } from './input-limits.ts';

const check = fieldsOf('test record');
const NOW = Date.UTC(2026, 5, 10, 12);
const context = { now: NOW, maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS };
const reason = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessage);
    return (e as Error).message;
  }
  return 'taken';
};

describe('quoting a refused value', () => {
  it('quotes a short string whole, JSON-escaped, and a long one cut to its first characters with its length', () => {
    expect(show('Ac\u0000me')).toBe('"Ac\\u0000me"');
    const long = show('\u0001'.repeat(200_000));
    expect(long).toMatch(/… \(200000 characters\)$/);
    expect(long.length).toBeLessThan(SHOWN_CHARS * 6 + 40);
    expect([show(Number.NaN), show(null), show(undefined), show([1, 2]), show({ a: 1 })]).toEqual(['NaN', 'null', 'undefined', 'a list of 2', 'an object']);
  });
});

describe('string fields', () => {
  it('refuses NUL, other C0 and C1 controls, DEL, line separators and bidirectional overrides, naming the character and where it is', () => {
    expect(reason(() => check.string('make', 'Ac\u0000me', stringRules.name))).toBe('test record: make contains the control character U+0000 at 2: "Ac\\u0000me"');
    for (const c of ['\t', '\n', '\u001b', '\u007f', '\u0085', '\u2028', '\u202e', '\u2066']) {
      expect(reason(() => check.string('model', `S${c}1`, stringRules.name))).toMatch(/^test record: model contains the control character U\+[0-9A-F]{4} at 1/);
    }
    expect(reason(() => check.string('model', 'Sensör 1 – ünï', stringRules.name))).toBe('taken');
  });

  it('refuses a string over its limit by its length, quoting only its start: a 200,000-character make makes a short reason', () => {
    const r = reason(() => check.string('make', '\u0001'.repeat(200_000), stringRules.name));
    expect(r).toMatch(new RegExp(`^test record: make is 200000 characters, at most ${MAX_NAME_CHARS} allowed: "(\\\\u0001){${SHOWN_CHARS}}"… \\(200000 characters\\)$`));
    expect(reason(() => check.id('deviceId', 'd'.repeat(MAX_ID_CHARS)))).toBe('taken');
    expect(reason(() => check.id('deviceId', 'd'.repeat(MAX_ID_CHARS + 1)))).toMatch(/deviceId is 129 characters, at most 128 allowed/);
  });

  it('refuses an empty or blank required string and a missing or non-string one; null only where it is allowed', () => {
    expect(reason(() => check.id('deviceId', ''))).toBe('test record: deviceId is empty');
    expect(reason(() => check.id('deviceId', undefined))).toBe('test record: deviceId is empty');
    expect(reason(() => check.string('make', '  ', stringRules.requiredName))).toBe('test record: make is blank: "  "');
    expect(reason(() => check.string('make', '', stringRules.name))).toBe('taken');
    expect(reason(() => check.string('make', 42, stringRules.name))).toBe('test record: make must be a string, got 42');
    expect(reason(() => check.string('make', null, stringRules.name))).toBe('test record: make must be a string, got null');
    expect(reason(() => check.string('make', null, { ...stringRules.name, nullable: true }))).toBe('taken');
  });

  it('compares an id with its key after checking it, quoting an over-long key cut short', () => {
    expect(reason(() => check.key('deviceId', 'a', 'a'))).toBe('taken');
    const r = reason(() => check.key('deviceId', 'a', 'k'.repeat(450_000)));
    expect(r).toMatch(/^test record: key "k{64}"… \(450000 characters\) is not its deviceId "a"$/);
  });
});

describe('number fields', () => {
  it('refuses NaN and ±Infinity, which pass every range comparison', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(reason(() => check.number('radio.rsrp', v, { range: [-156, -31] }))).toBe(`test record: radio.rsrp must be a finite number, got ${v}`);
    }
    expect(reason(() => check.number('radio.rsrp', '-90'))).toBe('test record: radio.rsrp must be a finite number, got "-90"');
  });

  it('checks whole numbers and ranges, with the unit in the reason; null only where it is allowed', () => {
    expect(reason(() => check.number('bytesDownloaded', 1.5, { integer: true }))).toBe('test record: bytesDownloaded must be a whole number, got 1.5');
    expect(reason(() => check.number('radio.rsrp', 50, { range: [-156, -31], unit: 'dBm' }))).toBe('test record: radio.rsrp 50 dBm is outside -156..-31');
    expect(reason(() => check.number('radio.rsrp', null, { nullable: true }))).toBe('taken');
    expect(reason(() => check.number('radio.rsrp', null))).toBe('test record: radio.rsrp must be a finite number, got null');
  });
});

describe('timestamps', () => {
  it('takes an instant up to the allowed skew ahead of the clock, refuses one further ahead with both instants named', () => {
    expect(reason(() => check.timestamp('at', NOW + DEFAULT_MAX_CLOCK_SKEW_MS, context))).toBe('taken');
    expect(reason(() => check.timestamp('at', NOW + DEFAULT_MAX_CLOCK_SKEW_MS + 1, context))).toBe(
      `test record: at 2026-06-10T12:05:00.001Z (${NOW + DEFAULT_MAX_CLOCK_SKEW_MS + 1}) is 300001 ms ahead of the clock (2026-06-10T12:00:00.000Z (${NOW})); at most 300000 ms allowed`,
    );
    expect(reason(() => check.timestamp('at', NOW + 10 * 365 * 86_400_000, context))).toMatch(/^test record: at 2036-06-\d\dT12:00:00.000Z \(\d+\) is \d+ ms ahead of the clock/);
  });

  it('refuses 9e15 ms, past what a Date or PostgreSQL holds, with a readable reason', () => {
    expect(reason(() => check.timestamp('at', 9e15, context))).toMatch(/^test record: at 9000000000000000 is \d+ ms ahead of the clock/);
  });

  it('refuses an instant before 2000 (zero, seconds for milliseconds, negative) and anything but whole milliseconds', () => {
    expect(reason(() => check.instant('at', EARLIEST_TIMESTAMP))).toBe('taken');
    expect(reason(() => check.instant('at', 1_781_092_800))).toBe('test record: at 1970-01-21T14:44:52.800Z (1781092800) is before 2000-01-01T00:00:00.000Z');
    expect(reason(() => check.instant('at', -9e15))).toBe('test record: at -9000000000000000 is before 2000-01-01T00:00:00.000Z');
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, NOW + 0.5, undefined, '2026-06-10']) {
      expect(reason(() => check.timestamp('at', v, context))).toMatch(/^test record: at must be an epoch-millis timestamp, got /);
    }
  });
});

describe('lists', () => {
  it('refuses a list over its bound by its size, and checks each entry under its index', () => {
    expect(reason(() => check.list('deviceIds', ['a', 'b'], 2, check.id))).toBe('taken');
    expect(reason(() => check.list('deviceIds', ['a', 'b', 'c'], 2, check.id))).toBe('test record: deviceIds names 3 entries, at most 2 allowed');
    expect(reason(() => check.list('deviceIds', ['a', 'b\u0000'], 2, check.id))).toMatch(/^test record: deviceIds\[1\] contains the control character U\+0000/);
    expect(reason(() => check.list('deviceIds', 'a', 2, check.id))).toBe('test record: deviceIds must be a list, got "a"');
  });
});
