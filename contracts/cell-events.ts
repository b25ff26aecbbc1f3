import { InvalidMessage } from '../services/runtime/actor.ts';

/** otaflow.cell.events (key: cellId), internal: a cell's tokens after each change, folded into cell utilisation. */
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

export function parseCellEvent(value: unknown, key: string): CellEvent {
  const e = value as CellEvent;
  if (!e || typeof e.cellId !== 'string' || e.cellId !== key) throw new InvalidMessage(`cell event: key "${key}" is not its cellId`);
  if (typeof e.inUse !== 'number' || typeof e.limit !== 'number') throw new InvalidMessage('cell event: inUse and limit must be numbers');
  return e;
}
