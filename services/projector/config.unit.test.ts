import { describe, expect, it } from 'vitest';
import { parseProjectorConfig } from './config.ts';

describe('projector config', () => {
  it('R-LOG-1: keeps 90 days of check-in history and sweeps hourly by default, beside the runtime settings', () => {
    const c = parseProjectorConfig({});
    expect(c.checkinRetentionDays).toBe(90);
    expect(c.retentionSweepMs).toBe(3_600_000);
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/otaflow');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('R-LOG-1: takes the retention and the sweep interval from the environment', () => {
    const c = parseProjectorConfig({ OTAFLOW_CHECKIN_RETENTION_DAYS: '30', OTAFLOW_RETENTION_SWEEP_MS: '60000' });
    expect([c.checkinRetentionDays, c.retentionSweepMs]).toEqual([30, 60_000]);
  });

  it.each(['0', '-1', '1.5', 'ninety', '', ' 90', '1e3'])('fails fast naming the variable for a retention of "%s"', (raw) => {
    expect(() => parseProjectorConfig({ OTAFLOW_CHECKIN_RETENTION_DAYS: raw })).toThrow(`OTAFLOW_CHECKIN_RETENTION_DAYS must be a positive integer of at most ${Number.MAX_SAFE_INTEGER}, got "${raw}"`);
  });

  it('fails fast naming the variable for a sweep interval that is not a positive integer or too long for a timer', () => {
    expect(() => parseProjectorConfig({ OTAFLOW_RETENTION_SWEEP_MS: '0' })).toThrow(/OTAFLOW_RETENTION_SWEEP_MS must be a positive integer/);
    expect(() => parseProjectorConfig({ OTAFLOW_RETENTION_SWEEP_MS: String(2 ** 31) })).toThrow(/OTAFLOW_RETENTION_SWEEP_MS must be a positive integer of at most 2147483647/);
  });

  it('still fails on a bad runtime setting', () => {
    expect(() => parseProjectorConfig({ OTAFLOW_CLOCK: 'fast' })).toThrow(/OTAFLOW_CLOCK/);
  });
});
