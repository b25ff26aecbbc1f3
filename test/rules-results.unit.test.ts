import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from '../contracts/device-commands.ts';
import type { CellDelta } from '../services/projector/cell-utilisation/index.ts';
import type { DeviceRow } from '../services/projector/campaign-devices/index.ts';
import type { CampaignDelta } from '../services/projector/campaigns/index.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { dedupedResults } from '../scripts/lib/campaign-run.ts';
import { httpClientCodes, lwm2mResultCodes, v1FailureDetails } from '../services/device/task.ts';
import { limitsOf } from './support/campaign-checks.ts';
import { DAY, fleetOf, MIN, Scenario, scheduleFor } from './support/driver-campaigns.ts';

describe('device results on the in-memory topology', () => {
  it('R-RES-1: v1 results are UpgradeSuccess with its wording, or UpgradeFailed with the v1 detail for an unconnected device, unmet prerequisites, or a failed update', () => {
    const fleet = fleetOf('v1-', 'LWM2M', [{}, { offlineUntil: Infinity }, { resultCode: 6 }, { resultCode: 8 }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet)).advance(5 * DAY);

    expect(fleet.map((d) => [s.resultOf(d.deviceId).status, s.resultOf(d.deviceId).detail])).toEqual([
      ['UpgradeSuccess', 'The firmware upgrade was successful'],
      ['UpgradeFailed', v1FailureDetails.notConnected],
      ['UpgradeFailed', v1FailureDetails.prerequisites],
      ['UpgradeFailed', v1FailureDetails.updateFailed],
    ]);
  });

  it('R-RES-2, R-REQ-3: each LwM2M result code is its cause; codes another attempt cannot fix (2, 3, 6, 7) are final at once, the others are retried', () => {
    const codes = [2, 3, 4, 5, 6, 7, 8];
    const fleet = fleetOf('code-', 'LWM2M', codes.map((resultCode) => ({ resultCode })));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { retry: { attempts: 1, intervalMinutes: 1 } })).advance(DAY);

    expect(fleet.map((d) => [s.resultOf(d.deviceId).cause, s.resultOf(d.deviceId).attempt])).toEqual(codes.map((code) => [lwm2mResultCodes[code], [2, 3, 6, 7].includes(code) ? 1 : 2]));
  });

  it('R-RES-3: an HTTP device ends UpgradeFailed with its client code: download failures are retried, unknown and other errors are final; at the campaign\'s end one that never reported did not report, one not installed yet is RovaClientDownloadNotInstalledYet', () => {
    const fleet = fleetOf('rova-', 'HTTP', [
      { clientFailure: httpClientCodes.downloadFailed },
      { clientFailure: httpClientCodes.unknown },
      { clientFailure: httpClientCodes.other },
      { silentOn: ['DELIVER_PACKAGE'] },
      { silentOn: ['UPGRADE'] },
    ]);
    const s = new Scenario(fleet).schedule(scheduleFor('k2', fleet, { retry: { attempts: 1, intervalMinutes: 1 } })).checkIn().advance(MIN).checkIn().advance(7 * DAY);

    expect(fleet.map((d) => [s.resultOf(d.deviceId).detail, s.resultOf(d.deviceId).attempt])).toEqual([
      [httpClientCodes.downloadFailed, 2],
      [httpClientCodes.unknown, 1],
      [httpClientCodes.other, 1],
      [httpClientCodes.didNotReport, 1],
      [httpClientCodes.notInstalledYet, 1],
    ]);
    expect(s.lastTransition('k2')).toMatchObject({ to: 'Ended', reason: 'end date reached' });
  });

  it('R-RES-4, R-CELL-1, R-CELL-3: 60 devices over 6 cells, some failing and retried, with every service restarted from its changelog between steps: one result per device keyed by its campaign, equal to what the projections fold', () => {
    const fleet = generateFleet({ devices: 60, cells: 6, idPrefix: 'res-', failureRate: 0.1, seed: 7 }).map((d, i) => (i % 7 === 0 ? { ...d, failFirstAttempts: 1 } : d));
    const s = new Scenario(fleet);
    s.driver.pipeInput('campaign-commands', 'k1', { ...scheduleFor('k1', fleet, { retry: { attempts: 1, intervalMinutes: 1 } }), at: s.driver.now });
    // Each command answered after a restore of every service, as after a crash between records.
    for (let c = s.driver.readOutput<DeviceCommand>('device-commands'); c; c = s.driver.readOutput<DeviceCommand>('device-commands')) {
      s.driver.restart();
      s.devices.answerOne(s.driver, c.value);
    }
    s.advance(DAY);

    const records = s.driver.outputs<{ deviceId: string; status: string; attempt: number; cause: string | null; detail: string; cellId: string | null }>('campaign-device-results');
    expect(records.every((r) => r.key === 'k1')).toBe(true);
    expect(dedupedResults(s.results())).toEqual(s.results());
    const failed = fleet.filter((d) => d.resultCode !== 1);
    expect(fleet.map((d) => s.resultOf(d.deviceId).status)).toEqual(fleet.map((d) => (d.resultCode === 1 ? 'UpgradeSuccess' : 'UpgradeFailed')));
    expect(s.driver.folded<CampaignDelta>('campaigns').get('k1')).toMatchObject({ status: 'Finished', accepted: 60, rejected: 0, succeeded: 60 - failed.length, failed: failed.length });
    for (const row of s.driver.folded<DeviceRow>('campaign_devices').values()) {
      const r = s.resultOf(row.deviceId);
      expect(row, row.deviceId).toMatchObject({ decision: 'Accepted', status: r.status, detail: r.detail, cause: r.cause, attempt: r.attempt, cellId: r.cellId });
    }
    const limits = limitsOf(fleet);
    const cells = s.driver.folded<CellDelta>('cell_utilisation');
    expect(new Set(cells.keys())).toEqual(new Set(limits.keys()));
    for (const [cellId, c] of cells) {
      // One token per attempt: a device whose first attempt failed took a second one.
      const attempts = fleet.filter((d) => d.cellId === cellId).map((d) => (d.failFirstAttempts || d.resultCode !== 1 ? 2 : 1));
      expect(c, cellId).toMatchObject({ limit: limits.get(cellId), inUse: 0, waiting: 0, grants: attempts.reduce((a, b) => a + b, 0) });
      expect(c.peak, cellId).toBeLessThanOrEqual(c.limit);
    }
    expect(failed.map((d) => s.resultOf(d.deviceId).cause)).toEqual(failed.map(() => lwm2mResultCodes[8]));
  });
});
