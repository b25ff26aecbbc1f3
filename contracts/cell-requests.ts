import { InvalidMessage } from '../services/runtime/actor.ts';
import { fieldsOf } from './fields.ts';

/** What a device reported of its cell's radio; both null when only the cell id is known (R-CELL-1). */
export interface RadioQuality {
  readonly rsrp: number | null;
  readonly sinr: number | null;
}

/** otaflow.cell.requests (key: cellId), internal. */
export type CellRequest =
  | { readonly type: 'acquire'; readonly cellId: string; readonly deviceId: string; readonly campaignId: string; readonly attempt: number; readonly radio: RadioQuality; readonly at: number }
  | { readonly type: 'release'; readonly cellId: string; readonly deviceId: string; readonly campaignId: string; readonly attempt: number; readonly reason: string; readonly at: number };

export function parseCellRequest(value: unknown, key: string): CellRequest {
  const v = value as Record<string, unknown>;
  const need = (field: string, type: string) => {
    if (typeof v?.[field] !== type) throw new InvalidMessage(`cell request: "${field}" must be a ${type}`);
  };
  if (v?.type !== 'acquire' && v?.type !== 'release') throw new InvalidMessage('cell request: "type" must be acquire or release');
  for (const f of ['cellId', 'deviceId', 'campaignId']) need(f, 'string');
  for (const f of ['attempt', 'at']) need(f, 'number');
  // The key names the cell actor and its changelog pieces; the holder's ids are in those pieces.
  const check = fieldsOf('cell request');
  check.key('cellId', v.cellId, key);
  check.id('deviceId', v.deviceId);
  check.id('campaignId', v.campaignId);
  if (v.type === 'acquire') {
    const radio = v.radio as Record<string, unknown> | undefined;
    const ok = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
    if (!radio || !ok(radio.rsrp) || !ok(radio.sinr)) throw new InvalidMessage('cell request: "radio" must hold rsrp and sinr (numbers or null)');
  } else need('reason', 'string');
  return v as unknown as CellRequest;
}
