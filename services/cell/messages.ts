import { InvalidMessage } from '../runtime/actor.ts';
import type { RadioQuality } from './cell-limit.ts';

/** Internal contract of otaflow.cell.requests (key: cellId). */
export type CellRequest =
  | { readonly type: 'acquire'; readonly cellId: string; readonly deviceId: string; readonly campaignId: string; readonly attempt: number; readonly radio: RadioQuality; readonly at: number }
  | { readonly type: 'release'; readonly cellId: string; readonly deviceId: string; readonly campaignId: string; readonly attempt: number; readonly reason: string; readonly at: number };

/** Internal contract of otaflow.device.cell-grants (key: deviceId). */
export interface CellGrant {
  readonly type: 'grant';
  readonly cellId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly limit: number;
  readonly at: number;
}

/** Internal contract of otaflow.cell.events (key: cellId), folded into cell utilisation. */
export interface CellEvent {
  readonly type: 'granted' | 'released' | 'queued';
  readonly cellId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly limit: number;
  readonly inUse: number;
  readonly waiting: number;
  readonly at: number;
}

export function parseCellRequest(value: unknown, key: string): CellRequest {
  const v = value as Record<string, unknown>;
  const need = (field: string, type: string) => {
    if (typeof v?.[field] !== type) throw new InvalidMessage(`cell request: "${field}" must be a ${type}`);
  };
  if (v?.type !== 'acquire' && v?.type !== 'release') throw new InvalidMessage('cell request: "type" must be acquire or release');
  for (const f of ['cellId', 'deviceId', 'campaignId']) need(f, 'string');
  for (const f of ['attempt', 'at']) need(f, 'number');
  if (v.cellId !== key) throw new InvalidMessage(`cell request: key "${key}" is not its cellId "${String(v.cellId)}"`);
  if (v.type === 'acquire') {
    const radio = v.radio as Record<string, unknown> | undefined;
    const ok = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
    if (!radio || !ok(radio.rsrp) || !ok(radio.sinr)) throw new InvalidMessage('cell request: "radio" must hold rsrp and sinr (numbers or null)');
  } else need('reason', 'string');
  return v as unknown as CellRequest;
}
