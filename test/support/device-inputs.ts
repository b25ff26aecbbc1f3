import type { Output } from '../../services/runtime/actor.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { ControlAction } from '../../contracts/common.ts';
import type { DeviceInput } from '../../services/device/device-actor.ts';
import type { Offer } from '../../contracts/device-campaign.ts';
import type { StatusReport } from '../../contracts/device-status-reports.ts';
import { offer, profile } from './device-fixtures.ts';

/** Inputs of the device actor for device `d1` and campaign `k1` of ./device-fixtures.ts. */
export const checkin = (extra: Partial<Checkin> = {}): DeviceInput => ({ kind: 'checkin', checkin: { ...profile, ...extra } });

export const offered = (extra: Partial<Offer> = {}): DeviceInput => ({ kind: 'offer', offer: { ...offer, ...extra } });

export const control = (action: ControlAction, campaignId = 'k1'): DeviceInput => ({ kind: 'control', control: { type: 'control', campaignId, deviceId: 'd1', action, at: 1 } });

export const report = (kind: StatusReport['kind'], extra: Partial<StatusReport> = {}): DeviceInput => ({
  kind: 'status',
  report: { deviceId: 'd1', campaignId: 'k1', kind, firmwareVersion: null, softwareVersion: null, radio: null, bytesDownloaded: null, resultCode: null, clientStatus: null, at: 1, ...extra },
});

/** A token of cell `c1` for attempt 1. */
export const grant: DeviceInput = { kind: 'grant', grant: { type: 'grant', cellId: 'c1', deviceId: 'd1', campaignId: 'k1', attempt: 1, limit: 50, at: 1 } };

/** The kinds of the device commands among the outputs, in order. */
export const commandKinds = (outputs: readonly Output[]) => outputs.filter((o) => o.topic === 'device-commands').map((o) => (o.value as { kind: string }).kind);
