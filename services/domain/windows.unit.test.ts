import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inAllWindows, isInWindow, nextOpenForAll, nextUtcTimeOfDay, nextWindowOpen, windowProblem } from './windows.ts';

// Derived rather than imported so the test follows whatever module owns the Window shape.
type Window = NonNullable<Parameters<typeof isInWindow>[0]>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(`${iso}Z`);

const REQUESTED = utc('2026-06-10T15:30:00'); // a Wednesday
const win = (start: string, end: string, timeZone = 'UTC', weekdays: readonly string[] = []): Window => ({ start, end, timeZone, weekdays });

describe('UTC times of day (R-LC-4)', () => {
  it('nextUtcTimeOfDay returns the instant itself when it is on the hour asked, else the next one', () => {
    expect(nextUtcTimeOfDay(utc('2026-06-10T04:00:00'), 4)).toBe(utc('2026-06-10T04:00:00'));
    expect(nextUtcTimeOfDay(utc('2026-06-10T04:00:00') + 1, 4)).toBe(utc('2026-06-11T04:00:00'));
    expect(nextUtcTimeOfDay(utc('2026-06-10T03:59:00'), 4)).toBe(utc('2026-06-10T04:00:00'));
    expect(nextUtcTimeOfDay(utc('2026-06-10T23:59:00'), 0)).toBe(utc('2026-06-11T00:00:00'));
    expect(nextUtcTimeOfDay(utc('2026-06-10T04:20:00'), 4, 30)).toBe(utc('2026-06-10T04:30:00'));
  });
});

describe('isInWindow (R-REQ-2)', () => {
  it('a missing window is always open', () => {
    expect(isInWindow(null, REQUESTED)).toBe(true);
  });

  it('includes the start minute and excludes the end minute', () => {
    const w = win('09:00', '11:30');
    expect(isInWindow(w, utc('2026-06-10T08:59:59'))).toBe(false);
    expect(isInWindow(w, utc('2026-06-10T09:00:00'))).toBe(true);
    expect(isInWindow(w, utc('2026-06-10T11:29:59'))).toBe(true);
    expect(isInWindow(w, utc('2026-06-10T11:30:00'))).toBe(false);
  });

  it('reads the clock in the window time zone', () => {
    const berlin = win('09:00', '11:30', 'Europe/Berlin'); // CEST, UTC+2 in June
    expect(isInWindow(berlin, utc('2026-06-10T07:00:00'))).toBe(true);
    expect(isInWindow(berlin, utc('2026-06-10T09:30:00'))).toBe(false);
  });

  it('filters by the weekday in the window time zone, not in UTC', () => {
    // Friday 23:30 UTC is Saturday 08:30 in Tokyo.
    const at = utc('2026-06-12T23:30:00');
    expect(isInWindow(win('08:00', '10:00', 'Asia/Tokyo', ['SAT']), at)).toBe(true);
    expect(isInWindow(win('08:00', '10:00', 'Asia/Tokyo', ['FRI']), at)).toBe(false);
    expect(isInWindow(win('08:00', '10:00', 'Asia/Tokyo', ['MON', 'TUE', 'WED', 'THU', 'FRI']), at)).toBe(false);
  });

  it('a window crossing midnight belongs to the weekday on which it opened', () => {
    const friday = win('22:00', '02:00', 'UTC', ['FRI']);
    expect(isInWindow(friday, utc('2026-06-12T23:00:00'))).toBe(true); // Fri 23:00
    expect(isInWindow(friday, utc('2026-06-13T01:00:00'))).toBe(true); // Sat 01:00, opened Friday
    expect(isInWindow(friday, utc('2026-06-13T02:00:00'))).toBe(false);
    expect(isInWindow(friday, utc('2026-06-12T01:00:00'))).toBe(false); // Fri 01:00 opened Thursday
    expect(isInWindow(win('22:00', '02:00', 'UTC', ['SAT']), utc('2026-06-13T01:00:00'))).toBe(false);
    expect(isInWindow(win('22:00', '02:00', 'UTC', ['SAT']), utc('2026-06-13T22:00:00'))).toBe(true);
  });

  it('Europe/Berlin spring forward (2026-03-29): the same local hour moves one UTC hour earlier', () => {
    const w = win('09:00', '10:00', 'Europe/Berlin');
    expect(isInWindow(w, utc('2026-03-28T08:00:00'))).toBe(true); // 09:00 CET
    expect(isInWindow(w, utc('2026-03-29T07:00:00'))).toBe(true); // 09:00 CEST
    expect(isInWindow(w, utc('2026-03-29T08:00:00'))).toBe(false); // 10:00 CEST
  });

  it('Europe/Berlin fall back (2026-10-25): the same local hour moves one UTC hour later, and the repeated hour is inside twice', () => {
    const w = win('09:00', '10:00', 'Europe/Berlin');
    expect(isInWindow(w, utc('2026-10-24T07:00:00'))).toBe(true); // 09:00 CEST
    expect(isInWindow(w, utc('2026-10-25T07:00:00'))).toBe(false); // 08:00 CET
    expect(isInWindow(w, utc('2026-10-25T08:00:00'))).toBe(true); // 09:00 CET
    const repeated = win('02:00', '03:00', 'Europe/Berlin');
    expect(isInWindow(repeated, utc('2026-10-25T00:30:00'))).toBe(true); // 02:30 CEST
    expect(isInWindow(repeated, utc('2026-10-25T01:30:00'))).toBe(true); // 02:30 CET
  });

  it('America/New_York spring forward (2026-03-08) and fall back (2026-11-01)', () => {
    const w = win('09:00', '10:00', 'America/New_York');
    expect(isInWindow(w, utc('2026-03-07T14:00:00'))).toBe(true); // 09:00 EST
    expect(isInWindow(w, utc('2026-03-08T13:00:00'))).toBe(true); // 09:00 EDT
    expect(isInWindow(w, utc('2026-03-08T14:00:00'))).toBe(false); // 10:00 EDT
    expect(isInWindow(w, utc('2026-10-31T13:00:00'))).toBe(true); // 09:00 EDT
    expect(isInWindow(w, utc('2026-11-01T13:00:00'))).toBe(false); // 08:00 EST
    expect(isInWindow(w, utc('2026-11-01T14:00:00'))).toBe(true); // 09:00 EST
    const repeated = win('01:00', '01:30', 'America/New_York');
    expect(isInWindow(repeated, utc('2026-11-01T05:15:00'))).toBe(true); // 01:15 EDT
    expect(isInWindow(repeated, utc('2026-11-01T06:15:00'))).toBe(true); // 01:15 EST
  });
});

describe('nextWindowOpen (R-REQ-2)', () => {
  const w = win('09:00', '11:30');

  it('is the instant itself when already inside, or when there is no window', () => {
    const at = utc('2026-06-10T10:17:23');
    expect(nextWindowOpen(w, at)).toBe(at);
    expect(nextWindowOpen(null, at)).toBe(at);
  });

  it('is the opening later the same day, or the next day once the window has closed', () => {
    expect(nextWindowOpen(w, utc('2026-06-10T08:59:30'))).toBe(utc('2026-06-10T09:00:00'));
    expect(nextWindowOpen(w, utc('2026-06-10T11:30:00'))).toBe(utc('2026-06-11T09:00:00'));
  });

  it('skips days that are not allowed', () => {
    const weekdays = win('09:00', '11:30', 'UTC', ['MON', 'TUE', 'WED', 'THU', 'FRI']);
    expect(nextWindowOpen(weekdays, utc('2026-06-12T12:00:00'))).toBe(utc('2026-06-15T09:00:00')); // Fri → Mon
    expect(nextWindowOpen(win('09:00', '11:30', 'UTC', ['WED']), utc('2026-06-10T11:30:00'))).toBe(utc('2026-06-17T09:00:00'));
  });

  it('finds the after-midnight part of a window that opened on an allowed day', () => {
    const friday = win('22:00', '02:00', 'UTC', ['FRI']);
    expect(nextWindowOpen(friday, utc('2026-06-13T01:00:00'))).toBe(utc('2026-06-13T01:00:00'));
    expect(nextWindowOpen(friday, utc('2026-06-13T02:00:00'))).toBe(utc('2026-06-19T22:00:00'));
  });

  it('Europe/Berlin spring forward (2026-03-29): a 02:30 start that does not exist opens at 03:00 CEST', () => {
    const sunday0000 = utc('2026-03-28T23:00:00'); // 00:00 CET
    expect(nextWindowOpen(win('02:30', '04:00', 'Europe/Berlin'), sunday0000)).toBe(utc('2026-03-29T01:00:00'));
    // Even when only ten real minutes of the window survive the gap.
    expect(nextWindowOpen(win('02:30', '03:10', 'Europe/Berlin'), sunday0000)).toBe(utc('2026-03-29T01:00:00'));
    expect(nextWindowOpen(win('02:30', '03:10', 'Europe/Berlin'), sunday0000 + 11 * MINUTE)).toBe(utc('2026-03-29T01:00:00'));
  });

  it('Europe/Berlin spring forward (2026-03-29): the next morning opening is 23 real hours after the previous one', () => {
    const w9 = win('09:00', '10:00', 'Europe/Berlin');
    expect(nextWindowOpen(w9, utc('2026-03-28T09:00:00'))).toBe(utc('2026-03-29T07:00:00'));
  });

  it('Europe/Berlin fall back (2026-10-25): a repeated 02:30 opens at its first occurrence (CEST)', () => {
    expect(nextWindowOpen(win('02:30', '04:00', 'Europe/Berlin'), utc('2026-10-24T22:00:00'))).toBe(utc('2026-10-25T00:30:00'));
    expect(nextWindowOpen(win('09:00', '10:00', 'Europe/Berlin'), utc('2026-10-24T08:00:00'))).toBe(utc('2026-10-25T08:00:00'));
  });

  it('America/New_York spring forward (2026-03-08): a 02:30 start opens at 03:00 EDT', () => {
    expect(nextWindowOpen(win('02:30', '04:00', 'America/New_York'), utc('2026-03-08T05:00:00'))).toBe(utc('2026-03-08T07:00:00'));
  });

  it('America/New_York fall back (2026-11-01): a repeated 01:30 opens at its first occurrence (EDT)', () => {
    expect(nextWindowOpen(win('01:30', '03:00', 'America/New_York'), utc('2026-11-01T04:00:00'))).toBe(utc('2026-11-01T05:30:00'));
    expect(nextWindowOpen(win('09:00', '10:00', 'America/New_York'), utc('2026-10-31T14:00:00'))).toBe(utc('2026-11-01T14:00:00'));
  });

  it('throws when a window never opens (possible only for a window that failed validation)', () => {
    expect(() => nextWindowOpen(win('09:00', '10:00', 'UTC', ['NOPE']), REQUESTED)).toThrow();
  });
});

describe('several windows at once (R-REQ-2: campaign window AND download/apply window)', () => {
  const campaign = win('08:00', '18:00', 'UTC', ['MON', 'TUE', 'WED', 'THU', 'FRI']);
  const download = win('12:00', '13:00');

  it('inAllWindows needs every window open and ignores missing ones', () => {
    expect(inAllWindows([campaign, download], utc('2026-06-10T12:30:00'))).toBe(true);
    expect(inAllWindows([campaign, download], utc('2026-06-10T10:00:00'))).toBe(false);
    expect(inAllWindows([campaign, download], utc('2026-06-13T12:30:00'))).toBe(false); // Saturday
    expect(inAllWindows([null, null], REQUESTED)).toBe(true);
  });

  it('nextOpenForAll finds the narrower download window inside the campaign window', () => {
    expect(nextOpenForAll([campaign, download], utc('2026-06-08T07:00:00'))).toBe(utc('2026-06-08T12:00:00'));
    expect(nextOpenForAll([campaign, download], utc('2026-06-08T12:10:00'))).toBe(utc('2026-06-08T12:10:00'));
    expect(nextOpenForAll([campaign, download], utc('2026-06-08T13:30:00'))).toBe(utc('2026-06-09T12:00:00'));
    expect(nextOpenForAll([campaign, download], utc('2026-06-12T14:00:00'))).toBe(utc('2026-06-15T12:00:00')); // Fri → Mon
    expect(nextOpenForAll([null, download, null], utc('2026-06-13T07:00:00'))).toBe(utc('2026-06-13T12:00:00'));
  });

  it('nextOpenForAll works across time zones: a Berlin campaign window and a New York download window', () => {
    // 14:00–16:00 Berlin (CEST) is 08:00–10:00 New York (EDT); the overlap starts at 09:00 New York.
    const berlin = win('14:00', '16:00', 'Europe/Berlin');
    const newYork = win('09:00', '17:00', 'America/New_York');
    expect(nextOpenForAll([berlin, newYork], utc('2026-06-10T00:00:00'))).toBe(utc('2026-06-10T13:00:00'));
  });

  it('nextOpenForAll throws when the windows never overlap', () => {
    expect(() => nextOpenForAll([win('09:00', '10:00'), win('11:00', '12:00')], REQUESTED)).toThrow(/overlap/);
    expect(() => nextOpenForAll([win('09:00', '10:00', 'UTC', ['MON']), win('09:00', '10:00', 'UTC', ['TUE'])], REQUESTED)).toThrow(/overlap/);
  });
});

describe('nextWindowOpen properties (R-REQ-2)', () => {
  const clock = fc.integer({ min: 0, max: 1439 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham');
  const weekdays = fc.subarray(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
  const window = fc
    .record({ start: clock, end: clock, timeZone: zone, weekdays })
    .filter((w) => w.start !== w.end)
    .map((w): Window => w);
  // Hundreds of thousands of time-zone readings each: seconds on a loaded 2-core machine, not the default 5.
  const PROPERTY_TIMEOUT_MS = 60_000;
  // 2025–2027, so the DST transitions of every zone above are covered.
  const instant = fc.integer({ min: utc('2025-01-01T00:00:00'), max: utc('2028-01-01T00:00:00') });

  it('the next opening is not before the instant, is inside the window, and no earlier quarter hour is inside', () => {
    fc.assert(
      fc.property(window, instant, (w, t) => {
        expect(windowProblem(w)).toBeUndefined();
        const open = nextWindowOpen(w, t);
        expect(open).toBeGreaterThanOrEqual(t);
        expect(open - t).toBeLessThanOrEqual(8 * DAY);
        expect(isInWindow(w, open)).toBe(true);
        for (let u = t; u < open; u += 15 * MINUTE) expect(isInWindow(w, u)).toBe(false);
        if (open > t) expect(isInWindow(w, open - MINUTE)).toBe(false);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('near DST transitions, short windows open at the first real minute they contain (checked minute by minute)', () => {
    const transitions = [
      utc('2026-03-29T01:00:00'), // Europe/Berlin spring forward
      utc('2026-10-25T01:00:00'), // Europe/Berlin fall back
      utc('2026-03-08T07:00:00'), // America/New_York spring forward
      utc('2026-11-01T06:00:00'), // America/New_York fall back
    ];
    const short = fc
      .record({ start: fc.integer({ min: 0, max: 239 }), length: fc.integer({ min: 1, max: 90 }), timeZone: fc.constantFrom('Europe/Berlin', 'America/New_York') })
      .map(({ start, length, timeZone }): Window => {
        const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        return { start: hhmm(start), end: hhmm(start + length), timeZone, weekdays: [] };
      });
    const nearTransition = fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -6 * HOUR, max: HOUR })).map(([x, d]) => x + d);
    fc.assert(
      fc.property(short, nearTransition, (w, t) => {
        const open = nextWindowOpen(w, t);
        expect(isInWindow(w, open)).toBe(true);
        for (let u = Math.ceil(t / MINUTE) * MINUTE; u < open; u += MINUTE) expect(isInWindow(w, u)).toBe(false);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('the next opening for a window and itself is the next opening of that window', () => {
    fc.assert(
      fc.property(window, instant, (w, t) => {
        expect(nextOpenForAll([w, w, null], t)).toBe(nextWindowOpen(w, t));
      }),
      { numRuns: 100 },
    );
  });
});
