import { InvalidMessage } from '../services/runtime/actor.ts';
import { fieldsOf } from './fields.ts';

/**
 * otaflow.campaign.device-decisions (key: campaignId), internal. `Duplicate` answers a second
 * offer of the same campaign: the device was named twice.
 */
export interface DeviceDecision {
  readonly type: 'decision';
  readonly campaignId: string;
  readonly deviceId: string;
  readonly status: 'Accepted' | 'DeviceRejected' | 'Duplicate';
  readonly detail: string;
  readonly at: number;
}

export function parseDeviceDecision(value: unknown, key: string): DeviceDecision {
  const d = value as DeviceDecision;
  if (d?.type !== 'decision' || typeof d.deviceId !== 'string' || !['Accepted', 'DeviceRejected', 'Duplicate'].includes(d.status)) {
    throw new InvalidMessage('device decision: expected {type: "decision", campaignId, deviceId, status: Accepted|DeviceRejected|Duplicate, detail}');
  }
  fieldsOf('device decision').key('campaignId', d.campaignId, key);
  return d;
}
