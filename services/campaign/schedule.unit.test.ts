import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  campaignEnd,
  campaignStart,
  inAllWindows,
  isInWindow,
  nextOpenForAll,
  nextUtcTimeOfDay,
  nextWindowOpen,
  scheduleProblem,
  v1OnDemandStartDeadline,
  type Schedule,
} from './schedule.ts';

// Derived rather than imported so the test follows whatever module owns the Window shape.
type Window = NonNullable<Schedule['window']>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(`${iso}Z`);

const REQUESTED = utc('2026-06-10T15:30:00'); // a Wednesday
const onDemand: Schedule = { kind: 'ON_DEMAND', startAt: null, endAt: null, window: null, downloadWindow: null, applyWindow: null };
const future = (startAt: number, endAt: number | null = startAt + 3 * DAY): Schedule => ({ ...onDemand, kind: 'FUTURE', startAt, endAt });
const win = (start: string, end: string, timeZone = 'UTC', weekdays: readonly string[] = []): Window => ({ start, end, timeZone, weekdays });

describe('scheduleProblem (R-REQ-2)', () => {
  it('accepts a valid future HTTP campaign with all three windows', () => {
    const s: Schedule = {
      ...future(REQUESTED + DAY),
      window: win('09:00', '11:30', 'Europe/Berlin', ['MON', 'TUE']),
      downloadWindow: win('22:00', '06:00', 'America/New_York'),
      applyWindow: win('00:00', '23:59', 'Asia/Kolkata', ['MON']),
    };
    expect(scheduleProblem('V2', s, REQUESTED)).toBeUndefined();
  });

  it('R-REQ-2: a download or apply window that never overlaps the campaign window is rejected, naming it', () => {
    const s: Schedule = { ...future(REQUESTED + DAY), window: win('09:00', '11:30', 'Europe/Berlin', ['MON', 'TUE']), applyWindow: win('00:00', '23:59', 'Asia/Kolkata', ['SUN']) };
    expect(scheduleProblem('V2', s, REQUESTED)).toBe('schedule.applyWindow never overlaps schedule.window');
  });

  it('R-REQ-2: a FUTURE campaign without schedule.startAt is rejected naming startAt', () => {
    expect(scheduleProblem('V1', { ...onDemand, kind: 'FUTURE' }, REQUESTED)).toMatch(/schedule\.startAt/);
  });

  it('R-REQ-2: a FUTURE start in the past is rejected naming startAt, but a few minutes of clock skew are tolerated', () => {
    expect(scheduleProblem('V2', future(REQUESTED - HOUR), REQUESTED)).toMatch(/schedule\.startAt/);
    expect(scheduleProblem('V2', future(REQUESTED - 4 * MINUTE), REQUESTED)).toBeUndefined();
  });

  it('R-REQ-2, R-REQ-5: a start or end more than 366 days after the request is rejected naming it, even past what a Date holds', () => {
    expect(scheduleProblem('V2', future(REQUESTED + 366 * DAY, REQUESTED + 366 * DAY + HOUR), REQUESTED)).toBe(
      `schedule.endAt ${new Date(REQUESTED + 366 * DAY + HOUR).toISOString()} (${REQUESTED + 366 * DAY + HOUR}) is more than 366 days after the request`,
    );
    expect(scheduleProblem('V1', future(9e15, null), REQUESTED)).toBe('schedule.startAt 9000000000000000 is more than 366 days after the request');
    expect(scheduleProblem('V2', future(REQUESTED + 365 * DAY, REQUESTED + 366 * DAY), REQUESTED)).toBeUndefined();
  });

  it('R-REQ-2: an end not after the start is rejected naming endAt', () => {
    expect(scheduleProblem('V2', future(REQUESTED + DAY, REQUESTED + DAY), REQUESTED)).toMatch(/schedule\.endAt/);
    expect(scheduleProblem('V2', future(REQUESTED + DAY, REQUESTED + HOUR), REQUESTED)).toMatch(/schedule\.endAt/);
    expect(scheduleProblem('V2', { ...onDemand, endAt: REQUESTED - MINUTE }, REQUESTED)).toMatch(/schedule\.endAt/);
  });

  it('R-REQ-2: a future HTTP (V2) campaign needs an end date, a future V1 campaign does not', () => {
    expect(scheduleProblem('V2', future(REQUESTED + DAY, null), REQUESTED)).toMatch(/schedule\.endAt/);
    expect(scheduleProblem('V1', future(REQUESTED + DAY, null), REQUESTED)).toBeUndefined();
  });

  it('R-REQ-2, R-LC-2: an on-demand HTTP campaign may omit its end date because it is derived', () => {
    expect(scheduleProblem('V2', onDemand, REQUESTED)).toBeUndefined();
  });

  it.each(['24:00', '9:00', '09:60', '0900', 'ab:cd', ''])('R-REQ-2: window start %j is rejected naming schedule.window.start', (start) => {
    expect(scheduleProblem('V1', { ...onDemand, window: win(start, '11:00') }, REQUESTED)).toMatch(/schedule\.window\.start/);
  });

  it('R-REQ-2: an invalid window end is rejected naming schedule.window.end', () => {
    expect(scheduleProblem('V1', { ...onDemand, window: win('09:00', '25:00') }, REQUESTED)).toMatch(/schedule\.window\.end/);
  });

  it('R-REQ-2: the extremes 00:00 and 23:59 are valid, and a window may cross midnight', () => {
    expect(scheduleProblem('V1', { ...onDemand, window: win('00:00', '23:59') }, REQUESTED)).toBeUndefined();
    expect(scheduleProblem('V1', { ...onDemand, window: win('22:00', '02:00') }, REQUESTED)).toBeUndefined();
  });

  it('R-REQ-2: a window whose end equals its start is rejected naming the window', () => {
    expect(scheduleProblem('V1', { ...onDemand, window: win('10:00', '10:00') }, REQUESTED)).toMatch(/schedule\.window\.(start|end)/);
  });

  it('R-REQ-2: an unknown time zone is rejected naming schedule.window.timeZone', () => {
    expect(scheduleProblem('V1', { ...onDemand, window: win('09:00', '10:00', 'Mars/Base') }, REQUESTED)).toBe(
      'schedule.window.timeZone "Mars/Base" is not an IANA time zone',
    );
  });

  it('R-REQ-2: an unknown or repeated weekday is rejected naming schedule.window.weekdays', () => {
    expect(scheduleProblem('V1', { ...onDemand, window: win('09:00', '10:00', 'UTC', ['MON', 'FUNDAY']) }, REQUESTED)).toMatch(
      /schedule\.window\.weekdays/,
    );
    expect(scheduleProblem('V1', { ...onDemand, window: win('09:00', '10:00', 'UTC', ['mon']) }, REQUESTED)).toMatch(/schedule\.window\.weekdays/);
    expect(scheduleProblem('V1', { ...onDemand, window: win('09:00', '10:00', 'UTC', ['MON', 'MON']) }, REQUESTED)).toMatch(
      /schedule\.window\.weekdays/,
    );
  });

  it('R-REQ-2: problems in the download and apply windows name those windows', () => {
    expect(scheduleProblem('V2', { ...onDemand, downloadWindow: win('09:00', '10:00', 'Nowhere/Land') }, REQUESTED)).toMatch(
      /schedule\.downloadWindow\.timeZone/,
    );
    expect(scheduleProblem('V2', { ...onDemand, applyWindow: win('09:00', '10:00', 'UTC', ['XYZ']) }, REQUESTED)).toMatch(
      /schedule\.applyWindow\.weekdays/,
    );
  });
});

describe('campaignStart and campaignEnd', () => {
  it('R-LC-4: a v1 on-demand campaign starts on request, at the latest two hours later', () => {
    expect(campaignStart('V1', onDemand, REQUESTED)).toBe(REQUESTED);
    expect(v1OnDemandStartDeadline(REQUESTED)).toBe(REQUESTED + 2 * HOUR);
  });

  it('R-LC-4: a v1 future campaign starts at 00:00 UTC of the UTC day of its start date', () => {
    expect(campaignStart('V1', future(utc('2026-06-12T15:42:10')), REQUESTED)).toBe(utc('2026-06-12T00:00:00'));
    expect(campaignStart('V1', future(utc('2026-06-12T00:00:00')), REQUESTED)).toBe(utc('2026-06-12T00:00:00'));
    expect(campaignStart('V1', future(utc('2026-06-12T23:59:59')), REQUESTED)).toBe(utc('2026-06-12T00:00:00'));
  });

  it('R-REQ-2: a v2 campaign starts on request when on demand and at its start date when future', () => {
    expect(campaignStart('V2', onDemand, REQUESTED)).toBe(REQUESTED);
    expect(campaignStart('V2', future(utc('2026-06-12T15:42:10')), REQUESTED)).toBe(utc('2026-06-12T15:42:10'));
  });

  it('R-LC-2, R-REQ-2: an on-demand v2 campaign without an end date ends exactly 7 days after its start', () => {
    expect(campaignEnd('V2', onDemand, REQUESTED)).toBe(REQUESTED + 7 * DAY);
  });

  it('R-REQ-2: an explicit end date wins for either api', () => {
    const endAt = REQUESTED + 2 * DAY;
    expect(campaignEnd('V2', { ...onDemand, endAt }, REQUESTED)).toBe(endAt);
    expect(campaignEnd('V1', future(REQUESTED, endAt), REQUESTED)).toBe(endAt);
  });

  it('R-LC-4: a v1 campaign without an end date has no end (it runs until every device is final)', () => {
    expect(campaignEnd('V1', onDemand, REQUESTED)).toBeNull();
    expect(campaignEnd('V1', future(REQUESTED, null), REQUESTED)).toBeNull();
  });
});

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
  // 2025–2027, so the DST transitions of every zone above are covered.
  const instant = fc.integer({ min: utc('2025-01-01T00:00:00'), max: utc('2028-01-01T00:00:00') });

  it('the next opening is not before the instant, is inside the window, and no earlier quarter hour is inside', () => {
    fc.assert(
      fc.property(window, instant, (w, t) => {
        expect(scheduleProblem('V2', { ...onDemand, window: w }, t)).toBeUndefined();
        const open = nextWindowOpen(w, t);
        expect(open).toBeGreaterThanOrEqual(t);
        expect(open - t).toBeLessThanOrEqual(8 * DAY);
        expect(isInWindow(w, open)).toBe(true);
        for (let u = t; u < open; u += 15 * MINUTE) expect(isInWindow(w, u)).toBe(false);
        if (open > t) expect(isInWindow(w, open - MINUTE)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

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
  });

  it('the next opening for a window and itself is the next opening of that window', () => {
    fc.assert(
      fc.property(window, instant, (w, t) => {
        expect(nextOpenForAll([w, w, null], t)).toBe(nextWindowOpen(w, t));
      }),
      { numRuns: 100 },
    );
  });
});
