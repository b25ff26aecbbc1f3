import type { CellEvent } from '../../contracts/cell-events.ts';

export interface CellConcurrency {
  readonly cellId: string;
  /** Most tokens held at once, counted by replaying grants and releases per device. */
  readonly peak: number;
  readonly grants: number;
  /** Smallest and largest limit the cell reported while granting. */
  readonly limits: readonly [number, number];
}

/**
 * Replays a cell's grant/release events in order and counts the tokens held at every
 * step from the device ids alone, independent of the actor's own `inUse` figure.
 */
export function cellConcurrency(events: readonly CellEvent[]): Map<string, CellConcurrency> {
  const held = new Map<string, Set<string>>();
  const out = new Map<string, { cellId: string; peak: number; grants: number; limits: [number, number] }>();
  for (const e of events) {
    if (e.type === 'queued') continue;
    const holders = held.get(e.cellId) ?? held.set(e.cellId, new Set()).get(e.cellId)!;
    const id = `${e.deviceId}/${e.campaignId}`;
    const c = out.get(e.cellId) ?? out.set(e.cellId, { cellId: e.cellId, peak: 0, grants: 0, limits: [Infinity, 0] }).get(e.cellId)!;
    if (e.type === 'granted') {
      holders.add(id);
      c.grants++;
      c.limits = [Math.min(c.limits[0], e.limit), Math.max(c.limits[1], e.limit)];
      c.peak = Math.max(c.peak, holders.size);
    } else holders.delete(id);
  }
  return out;
}
