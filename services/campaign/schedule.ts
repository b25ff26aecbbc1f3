import type { Api, Schedule } from '../../contracts/common.ts';
import { showInstant } from '../../contracts/fields.ts';
import { MAX_SCHEDULE_AHEAD_MS } from '../../contracts/input-limits.ts';
import { nextOpenForAll, windowProblem } from '../domain/windows.ts';

/**
 * Campaign timing (R-REQ-2, R-LC-2, R-LC-4) as pure functions of explicit instants; the window
 * arithmetic itself is services/domain/windows.ts, shared with the device flows.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PAST_TOLERANCE = 5 * MINUTE;

/** R-LC-4: an on-demand v1 campaign starts within 2 hours of its request. */
export const v1OnDemandStartDeadline = (requestedAt: number) => requestedAt + 2 * HOUR;

export function scheduleProblem(api: Api, s: Schedule, requestedAt: number): string | undefined {
  for (const [name, at] of [['startAt', s.startAt], ['endAt', s.endAt]] as const) {
    if (at !== null && at - requestedAt > MAX_SCHEDULE_AHEAD_MS) return `schedule.${name} ${showInstant(at)} is more than ${MAX_SCHEDULE_AHEAD_MS / DAY} days after the request`;
  }
  if (s.kind === 'FUTURE' && s.startAt === null) return 'schedule.startAt is required for a FUTURE campaign';
  if (s.kind === 'FUTURE' && s.startAt !== null && s.startAt < requestedAt - PAST_TOLERANCE) return `schedule.startAt ${iso(s.startAt)} is in the past`;
  // R-REQ-2: HTTP campaigns need start and end dates (an on-demand one ends a week after it starts).
  if (api === 'V2' && s.kind === 'FUTURE' && s.endAt === null) return 'schedule.endAt is required for a v2 (HTTP) FUTURE campaign';
  const start = campaignStart(api, s, requestedAt);
  if (s.endAt !== null && s.endAt <= start) return `schedule.endAt ${iso(s.endAt)} is not after the start ${iso(start)}`;
  for (const [name, w] of [['window', s.window], ['downloadWindow', s.downloadWindow], ['applyWindow', s.applyWindow]] as const) {
    const problem = w && windowProblem(w);
    if (problem) return `schedule.${name}.${problem}`;
  }
  for (const [name, w] of [['downloadWindow', s.downloadWindow], ['applyWindow', s.applyWindow]] as const) {
    try {
      nextOpenForAll([s.window, w], start);
    } catch {
      return `schedule.${name} never overlaps schedule.window`;
    }
  }
  return undefined;
}

/** R-LC-4: v1 future campaigns start at 00:00 UTC of the start day; on-demand ones right away. */
export function campaignStart(api: Api, s: Schedule, requestedAt: number): number {
  if (s.kind === 'ON_DEMAND' || s.startAt === null) return requestedAt;
  return api === 'V1' ? Math.floor(s.startAt / DAY) * DAY : s.startAt;
}

/** R-LC-2: an on-demand v2 campaign without an end date ends one week after its start. */
export function campaignEnd(api: Api, s: Schedule, start: number): number | null {
  if (s.endAt !== null) return s.endAt;
  return api === 'V2' && s.kind === 'ON_DEMAND' ? start + 7 * DAY : null;
}

const iso = (ms: number) => new Date(ms).toISOString();
