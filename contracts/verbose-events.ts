import { InvalidMessage } from '../services/runtime/actor.ts';

/** A verbose logging session only moves forward through these (R-LOG-1). */
export const verboseLifecycle = ['enabled', 'collecting', 'off', 'purged'] as const;

/** otaflow.verbose.events (key: deviceId), internal: a whole session after each change, for the verbose_logging projection. */
export interface VerboseEvent {
  readonly type: (typeof verboseLifecycle)[number];
  readonly deviceId: string;
  readonly enabledAt: number;
  readonly autoOffAt: number;
  readonly collectingSince: number | null;
  readonly offAt: number | null;
  readonly fetchableAt: number | null;
  readonly purgeAt: number;
  readonly at: number;
}

const times = ['enabledAt', 'autoOffAt', 'purgeAt', 'at'] as const;
const optionalTimes = ['collectingSince', 'offAt', 'fetchableAt'] as const;

export function parseVerboseEvent(value: unknown, key: string): VerboseEvent {
  const e = value as VerboseEvent;
  if (typeof e?.deviceId !== 'string' || e.deviceId !== key) throw new InvalidMessage(`verbose event: key "${key}" is not its deviceId "${e?.deviceId}"`);
  if (!verboseLifecycle.includes(e.type)) throw new InvalidMessage(`verbose event: type must be one of ${verboseLifecycle.join('|')}, got "${e.type}"`);
  for (const t of times) if (!Number.isFinite(e[t])) throw new InvalidMessage(`verbose event: "${t}" must be epoch millis, got ${JSON.stringify(e[t])}`);
  for (const t of optionalTimes) if (e[t] !== null && !Number.isFinite(e[t])) throw new InvalidMessage(`verbose event: "${t}" must be epoch millis or null, got ${JSON.stringify(e[t])}`);
  return e;
}
