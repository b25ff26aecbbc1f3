import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../runtime/actor.ts';
import { describe, expect, it } from 'vitest';
import type { VerboseEvent } from '../../../contracts/verbose-events.ts';
import { foldByKey } from '../fold.ts';
import { verboseLoggingProjection } from './index.ts';
import { sessionEvents } from './session-fixture.ts';

const DAY = 86_400_000;
const fold = (events: VerboseEvent[]) => foldByKey(verboseLoggingProjection, events).map((e) => [e.deviceId, e.enabledAt, e.type]);
const parse = (value: unknown, key: string) => verboseLoggingProjection.parse('verbose-events', value, key, { now: Date.now(), maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS });

describe('verbose_logging fold', () => {
  it("R-LOG-1: one row per session with the session's latest state; a device's later session is a row of its own", () => {
    const a = sessionEvents('a', 1_000);
    const a2 = sessionEvents('a', 9 * DAY);
    const b = sessionEvents('b', 2_000);
    expect(fold([a.enabled, b.enabled, a.collecting, a.off, a2.enabled, b.collecting])).toEqual([
      ['a', 1_000, 'off'],
      ['b', 2_000, 'collecting'],
      ['a', 9 * DAY, 'enabled'],
    ]);
  });

  it('R-LOG-1: an older event arriving after a newer one never overwrites it', () => {
    const a = sessionEvents('a', 1_000);
    expect(fold([a.purged, a.collecting, a.enabled, a.off])).toEqual([['a', 1_000, 'purged']]);
  });

  it('R-LOG-1: of two events at the same instant, the later state of the lifecycle wins whatever their order', () => {
    const a = sessionEvents('a', 1_000);
    const collectingAtOnce = { ...a.collecting, at: a.enabled.at };
    expect(fold([collectingAtOnce, a.enabled])).toEqual([['a', 1_000, 'collecting']]);
    expect(fold([a.enabled, collectingAtOnce])).toEqual([['a', 1_000, 'collecting']]);
  });
});

describe('verbose_logging parse', () => {
  const event = sessionEvents('a', 1_000).collecting;

  it('R-LOG-1: takes a session event keyed by its deviceId', () => {
    expect(parse(event, 'a')).toEqual(event);
  });

  it('R-LOG-1: rejects an event whose key is not its deviceId, naming both', () => {
    expect(() => parse(event, 'b')).toThrow('verbose event: key "b" is not its deviceId "a"');
    expect(() => parse(null, 'a')).toThrow('verbose event: key "a" is not its deviceId "undefined"');
  });

  it('R-LOG-1: rejects an unknown state and missing or non-numeric times, naming the field', () => {
    expect(() => parse({ ...event, type: 'paused' }, 'a')).toThrow('verbose event: type must be one of enabled|collecting|off|purged, got "paused"');
    expect(() => parse({ ...event, enabledAt: undefined }, 'a')).toThrow('verbose event: "enabledAt" must be epoch millis, got undefined');
    expect(() => parse({ ...event, at: '2026-11-24' }, 'a')).toThrow('verbose event: "at" must be epoch millis, got "2026-11-24"');
    expect(() => parse({ ...event, fetchableAt: 'soon' }, 'a')).toThrow('verbose event: "fetchableAt" must be epoch millis or null, got "soon"');
  });
});
