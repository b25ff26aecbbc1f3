import { envPositiveInteger, parseRuntimeConfig, type Env, type RuntimeConfig } from '../runtime/config.ts';

/** The projector's settings: the shared runtime ones and its own, parsed once at start. */
export interface ProjectorConfig extends RuntimeConfig {
  /** OTAFLOW_CHECKIN_RETENTION_DAYS: device_checkins rows older than this many days are deleted (R-LOG-1; default 90). */
  readonly checkinRetentionDays: number;
  /** OTAFLOW_RETENTION_SWEEP_MS: real milliseconds from the end of one retention sweep to the start of the next (default 3600000, one hour). */
  readonly retentionSweepMs: number;
}

// setTimeout fires at once for a delay above 2^31 - 1 ms: a larger sweep interval would sweep in a busy loop.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function parseProjectorConfig(env: Env): ProjectorConfig {
  return Object.freeze({
    ...parseRuntimeConfig(env),
    checkinRetentionDays: envPositiveInteger(env, 'OTAFLOW_CHECKIN_RETENTION_DAYS', 90),
    retentionSweepMs: envPositiveInteger(env, 'OTAFLOW_RETENTION_SWEEP_MS', 3_600_000, MAX_TIMER_MS),
  });
}
