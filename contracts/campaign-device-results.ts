import { InvalidMessage } from '../services/runtime/actor.ts';
import type { ResultStatus } from './common.ts';
import { fieldsOf } from './fields.ts';

/** campaign.device-results (key: campaignId), schemas/device-result.avsc: one final result per device and attempt (R-RES-4). */
export interface DeviceResult {
  readonly campaignId: string;
  readonly deviceId: string;
  readonly attempt: number;
  readonly status: ResultStatus;
  readonly detail: string;
  readonly cause: string | null;
  readonly cellId: string | null;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  readonly at: number;
  /** R-SAFE-6: how long the device held its cell token, grant to this result; null without one (absent before it existed). */
  readonly tokenHeldMs?: number | null;
}

export function parseDeviceResult(value: unknown, key: string): DeviceResult {
  const r = value as DeviceResult;
  fieldsOf('device result').key('campaignId', r?.campaignId, key);
  if (!r.deviceId) throw new InvalidMessage('device result: deviceId is empty');
  return r;
}
