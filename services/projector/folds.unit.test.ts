import { describe, expect, it } from 'vitest';
import { campaignEvent, type CampaignEvent } from '../../contracts/campaign-events.ts';
import { campaignsProjection, type CampaignInput } from './campaigns/index.ts';
import { cellUtilisationProjection } from './cell-utilisation/index.ts';
import { foldByKey } from './fold.ts';

const ev = (e: Partial<CampaignEvent>): CampaignEvent => ({ ...campaignEvent('k', null, 1, { type: 'STATE_CHANGED' }), api: 'V1', make: 'A', model: 'M', targetVersion: '2', ...e });

describe('projection folds', () => {
  it('R-RES-4: folds a batch into one change per campaign', () => {
    const deltas = foldByKey<CampaignInput, unknown>(campaignsProjection, [
      { kind: 'event', event: ev({ to: 'RequestPending', at: 1 }) },
      { kind: 'event', event: ev({ type: 'DEVICE_DECISION', deviceStatus: 'Accepted', at: 2 }) },
      { kind: 'event', event: ev({ type: 'DEVICE_DECISION', deviceStatus: 'DeviceRejected', at: 2 }) },
      { kind: 'event', event: ev({ to: 'InProgress', at: 3 }) },
      { kind: 'result', result: { campaignId: 'k', deviceId: 'd', attempt: 1, status: 'UpgradeSuccess', detail: '', cause: null, cellId: null, fromVersion: null, toVersion: null, at: 4 } },
      { kind: 'event', event: ev({ to: 'Finished', at: 5 }) },
    ]);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ status: 'Finished', accepted: 1, rejected: 1, succeeded: 1, failed: 0, startedAt: 3, endedAt: 5, lastEventAt: 5 });
  });

  it('R-REQ-1, R-RES-4: a campaign row carries the requested schedule and counts cancelled or aborted devices apart from failed ones', () => {
    const result = (status: 'UpgradeFailed' | 'CampaignCancelled' | 'CampaignAborted') => ({ kind: 'result' as const, result: { campaignId: 'k', deviceId: status, attempt: 1, status, detail: '', cause: null, cellId: null, fromVersion: null, toVersion: null, at: 2 } });
    const [d] = foldByKey<CampaignInput, unknown>(campaignsProjection, [
      { kind: 'event', event: ev({ type: 'COMMAND_ACCEPTED', scheduleKind: 'FUTURE', startAt: 100, endAt: 200, deviceCount: 3, at: 1 }) },
      result('UpgradeFailed'),
      result('CampaignCancelled'),
      result('CampaignAborted'),
    ]);
    expect(d).toMatchObject({ scheduleKind: 'FUTURE', scheduleStartAt: 100, scheduleEndAt: 200, failed: 1, cancelled: 2, succeeded: 0 });
  });

  it('R-SAFE-5: devices that join a dynamic campaign raise its device count and count as accepted', () => {
    const [d] = foldByKey<CampaignInput, unknown>(campaignsProjection, [
      { kind: 'event', event: ev({ type: 'COMMAND_ACCEPTED', deviceCount: 0, at: 1 }) },
      { kind: 'event', event: ev({ type: 'DEVICE_DECISION', deviceStatus: 'Accepted', deviceId: 'x', deviceCount: 1, at: 2 }) },
      { kind: 'event', event: ev({ type: 'DEVICE_DECISION', deviceStatus: 'Accepted', deviceId: 'y', deviceCount: 2, at: 3 }) },
    ]);
    expect(d).toMatchObject({ deviceCount: 2, accepted: 2 });
  });

  it('R-CELL-3: folds cell events into current use, peak and grant count', () => {
    const base = { cellId: 'c', deviceId: 'd', campaignId: 'k', limit: 2, waiting: 0 };
    const [d, ...others] = foldByKey(cellUtilisationProjection, [
      { ...base, type: 'granted', inUse: 1, at: 1 },
      { ...base, type: 'granted', inUse: 2, at: 2 },
      { ...base, type: 'released', inUse: 1, at: 3 },
    ]);
    expect(others).toEqual([]);
    expect(d).toMatchObject({ inUse: 1, peak: 2, grants: 2, limit: 2, at: 3 });
  });
});
