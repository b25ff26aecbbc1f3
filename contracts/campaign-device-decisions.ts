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
  /** From the offer: the part that named the device and its wave (R-SAFE-3); absent in decisions written before them. */
  readonly part?: number;
  readonly wave?: number;
  /**
   * R-SAFE-6: the cell the device's latest check-in names and the limit its radio gives (R-CELL-1),
   * for devices that take cell tokens; null otherwise.
   */
  readonly cellId?: string | null;
  readonly cellLimit?: number | null;
  /** R-SAFE-5: the device took a dynamic campaign at a check-in; the campaign places it in one of its dynamic parts. */
  readonly dynamic?: boolean;
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
