import { describe, expect, it } from 'vitest';
import type { DeviceResult } from '../../../contracts/campaign-device-results.ts';
import type { CampaignEvent } from '../../../contracts/campaign-events.ts';
import { foldByKey } from '../fold.ts';
import { campaignDevicesProjection } from './index.ts';

const decision = (deviceId: string, status: string, at: number) => ({
  kind: 'decision' as const,
  event: { campaignId: 'k', type: 'DEVICE_DECISION', to: null, deviceStatus: status, api: 'V1', make: 'A', model: 'M', targetVersion: '2', deviceCount: null, at, deviceId, detail: `${status} detail` } as CampaignEvent & { deviceId: string; detail: string },
});
const result = (deviceId: string, status: DeviceResult['status'], at: number): { kind: 'result'; result: DeviceResult } => ({
  kind: 'result',
  result: { campaignId: 'k', deviceId, attempt: 2, status, detail: 'Firmware update to device failed.', cause: 'Connection lost during downloading process', cellId: 'c1', fromVersion: '1', toVersion: '1', at },
});

describe('campaign_devices fold', () => {
  it('R-REQ-4, R-RES-4: one row per device with its decision and its final result, whatever order the two topics deliver them in', () => {
    const rows = foldByKey(campaignDevicesProjection, [result('a', 'UpgradeFailed', 5), decision('a', 'Accepted', 1), decision('b', 'DeviceRejected', 1)]);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.deviceId === 'a')).toMatchObject({ decision: 'Accepted', status: 'UpgradeFailed', cause: 'Connection lost during downloading process', attempt: 2, cellId: 'c1', decidedAt: 1, finishedAt: 5 });
    expect(rows.find((r) => r.deviceId === 'b')).toMatchObject({ decision: 'DeviceRejected', status: 'DeviceRejected', finishedAt: null });
  });
});
