import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../contracts/common.ts';
import { campaignEnd, campaignStart, scheduleProblem, v1OnDemandStartDeadline } from './schedule.ts';

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
