import { InvalidMessage } from '../services/runtime/actor.ts';
import { fieldsOf } from './fields.ts';

/** otaflow.device.cell-grants (key: deviceId), internal: a token of the cell for one device's attempt. */
export interface CellGrant {
  readonly type: 'grant';
  readonly cellId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly limit: number;
  readonly at: number;
}

export function parseCellGrant(value: unknown, key: string): CellGrant {
  const g = value as CellGrant;
  if (g?.type !== 'grant' || typeof g.cellId !== 'string' || typeof g.campaignId !== 'string' || typeof g.attempt !== 'number') {
    throw new InvalidMessage('cell grant: expected {type: "grant", cellId, deviceId, campaignId, attempt, ...}');
  }
  fieldsOf('cell grant').key('deviceId', g.deviceId, key);
  return g;
}
