import { expect } from 'vitest';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import type { CellEvent } from '../../contracts/cell-events.ts';
import { cellLimit } from '../../services/cell/cell-limit.ts';
import { learnedRadio, type SimDevice } from '../../scripts/fleet/fleet.ts';
import type { CampaignRun } from '../../scripts/lib/campaign-run.ts';
import { cellConcurrency, type CellConcurrency } from '../../scripts/lib/cell-concurrency.ts';
import { waitFor } from '../../scripts/lib/wait-for.ts';

/** R-CELL-1: each cell's limit from the radio its devices report (or 10 from their cell id alone). */
export const limitsOf = (fleet: readonly SimDevice[]) => new Map(fleet.map(learnedRadio).filter((r) => r !== null).map((r) => [r.cellId, cellLimit(r)]));

/**
 * Waits until every device of the run has a result and every token granted for it has been
 * released again (R-CELL-3), so the recorded streams are complete before they are judged.
 */
export async function runToCompletion(run: CampaignRun, timeoutMs: number, context = ''): Promise<void> {
  const devices = run.fleet.length;
  try {
    await waitFor(`every one of the ${devices} devices to have a result ${context}`, () => new Set(run.results.values().map((r) => r.deviceId)).size >= devices, timeoutMs, 100);
  } catch (e) {
    throw new Error(`${(e as Error).message}; ${withoutResult(run)}`);
  }
  await waitFor(`every granted token to be released ${context}`, () => {
    const events = run.cellEvents.values().filter((e) => e.type !== 'queued');
    const granted = events.filter((e) => e.type === 'granted').length;
    return events.length - granted === granted;
  }, 60_000, 100);
}

/**
 * Where a run stalled: the devices without a result, each with the last event its cell recorded
 * for it, and what those cells said they held and queued last.
 */
function withoutResult(run: CampaignRun): string {
  const done = new Set(run.results.values().map((r) => r.deviceId));
  const missing = run.fleet.filter((d) => !done.has(d.deviceId)).map((d) => d.deviceId);
  const lastOfDevice = new Map<string, CellEvent>();
  const lastOfCell = new Map<string, CellEvent>();
  for (const e of run.cellEvents.values()) {
    lastOfDevice.set(e.deviceId, e);
    lastOfCell.set(e.cellId, e);
  }
  const byLastEvent = new Map<string, number>();
  for (const id of missing) {
    const type = lastOfDevice.get(id)?.type ?? 'no cell event';
    byLastEvent.set(type, (byLastEvent.get(type) ?? 0) + 1);
  }
  const cells = [...new Set(missing.map((id) => lastOfDevice.get(id)?.cellId).filter((c) => c !== undefined))].slice(0, 5);
  return (
    `${missing.length} devices without a result (${[...byLastEvent].map(([t, n]) => `last cell event ${t}: ${n}`).join(', ')}), e.g. ${missing.slice(0, 5).join(', ')}; ` +
    `their cells' last events: ${cells.map((c) => { const e = lastOfCell.get(c)!; return `${c} ${e.type} inUse ${e.inUse}/${e.limit} waiting ${e.waiting}`; }).join('; ')}`
  );
}

/** R-RES-4: exactly one result per device of the run. */
export function expectOneResultEach(run: CampaignRun, context = ''): DeviceResult[] {
  const results = run.results.values();
  const perDevice = new Map<string, number>();
  for (const r of results) perDevice.set(r.deviceId, (perDevice.get(r.deviceId) ?? 0) + 1);
  expect(perDevice.size, context).toBe(run.fleet.length);
  expect([...perDevice].filter(([, n]) => n !== 1), context).toEqual([]);
  return results;
}

/**
 * R-CELL-1, R-CELL-3: no cell ever held more tokens than its limit, counted both from the
 * replayed grant/release events and from the simulated devices' own view.
 */
export function expectCellsWithinLimits(run: CampaignRun, context = ''): Map<string, CellConcurrency> {
  const limitOf = limitsOf(run.fleet);
  const concurrency = cellConcurrency(run.cellEvents.values());
  const over = [...concurrency.values()].filter((c) => c.peak > limitOf.get(c.cellId)!).map((c) => ({ cellId: c.cellId, peak: c.peak, limit: limitOf.get(c.cellId) }));
  expect(over, `cells over their limit in the replayed events ${context}`).toEqual([]);
  const seenOver = [...run.simulator.peakByCell].filter(([cellId, peak]) => peak > limitOf.get(cellId)!);
  expect(seenOver, `cells over their limit as the devices saw it ${context}`).toEqual([]);
  return concurrency;
}
