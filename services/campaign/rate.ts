import type { RateLimit } from '../../contracts/campaign-commands.ts';

/**
 * R-SAFE-2: how many devices a campaign may start per minute. The campaign keeps what it released
 * in the last minute (one entry per release, so at most a few dozen) and releases only what keeps
 * every 60-second window within the rate in force: after a release at t, the releases in
 * (t − 60 s, t] sum to at most that rate, so no minute, however placed, sees more than the cap.
 */
export const MINUTE = 60_000;

export interface Release {
  readonly at: number;
  readonly n: number;
}

/**
 * The rate in force: the cap, or with a ramp its base multiplied by `factor` each time `every`
 * more devices were notified (released) or succeeded, never above the cap. Null: no cap.
 */
export function rateInForce(rate: RateLimit | null, counts: { readonly notified: number; readonly succeeded: number }): number | null {
  if (!rate) return null;
  const ramp = rate.ramp;
  if (!ramp) return rate.maxPerMinute;
  const steps = Math.floor((ramp.counting === 'NOTIFIED' ? counts.notified : counts.succeeded) / ramp.every);
  return Math.min(rate.maxPerMinute, Math.floor(ramp.basePerMinute * ramp.factor ** Math.min(steps, 1000)));
}

/** The releases still inside the window that ends now. */
export const recent = (window: readonly Release[], now: number) => window.filter((r) => r.at > now - MINUTE);

/** How many more may start now without any 60-second window passing `rate`. */
export function room(window: readonly Release[], now: number, rate: number | null): number {
  if (rate === null) return Infinity;
  return Math.max(0, rate - recent(window, now).reduce((n, r) => n + r.n, 0));
}

/** When the oldest release kept leaves the window, making room again; undefined when none is kept. */
export const nextRoomAt = (window: readonly Release[]): number | undefined => (window.length === 0 ? undefined : Math.min(...window.map((r) => r.at)) + MINUTE);
