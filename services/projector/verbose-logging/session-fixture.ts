import type { VerboseEvent } from '../../../contracts/verbose-events.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Test fixture: the events of one verbose logging session through its lifecycle, with the
 * times the verbose actor gives them (collecting an hour after enabling, auto-off after 7 days,
 * purge 30 days after collecting started).
 */
export function sessionEvents(deviceId: string, enabledAt: number): Record<VerboseEvent['type'], VerboseEvent> {
  const enabled = { deviceId, enabledAt, autoOffAt: enabledAt + 7 * DAY, collectingSince: null, offAt: null, fetchableAt: null, purgeAt: enabledAt + 30 * DAY };
  const collectingSince = enabledAt + HOUR;
  const collecting = { ...enabled, collectingSince, fetchableAt: collectingSince + DAY, purgeAt: collectingSince + 30 * DAY };
  return {
    enabled: { ...enabled, type: 'enabled', at: enabledAt },
    collecting: { ...collecting, type: 'collecting', at: collectingSince },
    off: { ...collecting, type: 'off', offAt: enabled.autoOffAt, at: enabled.autoOffAt },
    purged: { ...collecting, type: 'purged', offAt: enabled.autoOffAt, at: collecting.purgeAt },
  };
}
