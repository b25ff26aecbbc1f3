import type { Window } from '../../contracts/common.ts';

/**
 * Daily time windows (R-REQ-2) and UTC times of day (R-LC-4) as pure functions of explicit
 * instants, shared by the campaign schedule and the device flows. Local wall-clock times go
 * through Intl, so daily windows follow their zone's DST.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** What is wrong with a window, naming its field; undefined when it is valid. */
export function windowProblem(w: Window): string | undefined {
  for (const field of ['start', 'end'] as const) {
    if (parseClock(w[field]) === null) return `${field} "${w[field]}" is not a time HH:MM between 00:00 and 23:59`;
  }
  if (w.start === w.end) return `end equals start (${w.start}): the window is empty`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone });
  } catch {
    return `timeZone "${w.timeZone}" is not an IANA time zone`;
  }
  const unknown = w.weekdays.find((d) => !(WEEKDAYS as readonly string[]).includes(d));
  if (unknown !== undefined) return `weekdays: "${unknown}" is not one of ${WEEKDAYS.join(', ')}`;
  if (new Set(w.weekdays).size !== w.weekdays.length) return 'weekdays: a day is named twice';
  return undefined;
}

export function nextUtcTimeOfDay(at: number, hour: number, minute = 0): number {
  const candidate = Math.floor(at / DAY) * DAY + hour * HOUR + minute * MINUTE;
  return candidate >= at ? candidate : candidate + DAY;
}

interface LocalTime {
  readonly weekday: string;
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(timeZone: string, at: number): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { weekday: String(parts.weekday).toUpperCase(), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function parseClock(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

const dayAllowed = (w: Window, weekday: string) => w.weekdays.length === 0 || w.weekdays.includes(weekday);
const previousDay = (weekday: string) => WEEKDAYS[(WEEKDAYS.indexOf(weekday as (typeof WEEKDAYS)[number]) + 6) % 7]!;

/** R-REQ-2: a window crossing midnight belongs to the weekday on which it opened. */
export function isInWindow(w: Window | null, at: number): boolean {
  if (!w) return true;
  const start = parseClock(w.start)!;
  const end = parseClock(w.end)!;
  const { weekday, minutes } = localTime(w.timeZone, at);
  if (start < end) return minutes >= start && minutes < end && dayAllowed(w, weekday);
  if (minutes >= start) return dayAllowed(w, weekday);
  return minutes < end && dayAllowed(w, previousDay(weekday));
}

/**
 * The earliest instant at or after `at` inside the window. Local times are not instants
 * (a DST gap skips some, an overlap repeats some), so it steps through real minutes from
 * the candidate openings instead of constructing them.
 */
export function nextWindowOpen(w: Window | null, at: number): number {
  if (!w || isInWindow(w, at)) return at;
  const first = Math.ceil(at / MINUTE) * MINUTE;
  // While the local clock runs steadily, an opening lasts at least `hop` minutes, so a hop cannot
  // jump over it; a clock change inside a hop can shorten one (02:30-03:10 on a spring-forward day).
  const length = (parseClock(w.end)! - parseClock(w.start)! + 1440) % 1440;
  const hop = Math.min(15, length) * MINUTE;
  let previous = first;
  for (let t = first; t <= at + 9 * DAY; previous = t, t += hop) {
    if (isInWindow(w, t) || !clockSteady(w.timeZone, previous, t)) {
      for (let u = previous; u <= t; u += MINUTE) if (isInWindow(w, u)) return u;
    }
  }
  throw new Error(`window ${w.start}–${w.end} ${w.timeZone} never opens within 9 days of ${iso(at)}`);
}

/** Whether the local clock advanced exactly as much as real time between two nearby instants. */
function clockSteady(timeZone: string, from: number, to: number): boolean {
  const weekMinute = (at: number) => {
    const { weekday, minutes } = localTime(timeZone, at);
    return WEEKDAYS.indexOf(weekday as (typeof WEEKDAYS)[number]) * 1440 + minutes;
  };
  return (weekMinute(to) - weekMinute(from) + 7 * 1440) % (7 * 1440) === (to - from) / MINUTE;
}

export function inAllWindows(windows: readonly (Window | null)[], at: number): boolean {
  return windows.every((w) => isInWindow(w, at));
}

/** The next instant inside every given window (e.g. the campaign window and the download window). */
export function nextOpenForAll(windows: readonly (Window | null)[], at: number): number {
  let t = at;
  for (let i = 0; i < 64; i++) {
    const closed = windows.find((w) => !isInWindow(w, t));
    if (!closed) return t;
    t = nextWindowOpen(closed, t);
    if (t - at > 9 * DAY) break;
  }
  throw new Error(`the windows never overlap within 9 days of ${iso(at)}`);
}

const iso = (ms: number) => new Date(ms).toISOString();
