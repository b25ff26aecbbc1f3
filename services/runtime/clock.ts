/**
 * Time is passed in, never read from globals, so the deciders stay pure and tests can
 * run a 3-day schedule in seconds. An accelerated clock is a pure function of the real
 * clock, so every process started with the same spec agrees on "now" without talking.
 */
export interface Clock {
  now(): number;
  /** Real milliseconds until the virtual instant `at` (0 when already due). */
  realDelayUntil(at: number): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  realDelayUntil: (at) => Math.max(0, at - Date.now()),
};

export function acceleratedClock(factor: number, virtualStart: number, realStart: number): Clock {
  if (!(factor > 0)) throw new Error(`accelerated clock factor must be > 0, got ${factor}`);
  return {
    now: () => virtualStart + (Date.now() - realStart) * factor,
    realDelayUntil: (at) => Math.max(0, (at - (virtualStart + (Date.now() - realStart) * factor)) / factor),
  };
}

/** `system` or `accelerated:<factor>@<virtualStartMs>/<realStartMs>` (OTAFLOW_CLOCK). */
export function parseClock(spec: string): Clock {
  if (spec === 'system') return systemClock;
  const m = /^accelerated:([0-9.]+)@(\d+)\/(\d+)$/.exec(spec);
  if (!m) throw new Error(`OTAFLOW_CLOCK must be "system" or "accelerated:<factor>@<virtualStartMs>/<realStartMs>", got "${spec}"`);
  return acceleratedClock(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function acceleratedClockSpec(factor: number, virtualStart: number, realStart = Date.now()): string {
  return `accelerated:${factor}@${Math.round(virtualStart)}/${realStart}`;
}
