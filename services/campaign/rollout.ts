import { rolloutOf, type AbortCriterion, type CampaignRequest, type RolloutRequest } from '../../contracts/campaign-commands.ts';
import { httpClientCodes, resultDetails, stepTimeouts } from '../device/task.ts';
import { Map as PersistentMap } from 'immutable';
import type { CellCount } from './estimate.ts';
import type { Release } from './rate.ts';

/**
 * A campaign's rollout (R-SAFE-1..4, 6) as counts: per part and wave how many devices may still
 * be released, per wave its decisions and results, the releases of the last minute, per cell
 * its devices. Nothing per device: a 100,000-device campaign in 10 parts and 3 waves keeps 30
 * pool numbers, and its cells (at most MAX_CELLS, the rest counted together).
 */
export interface WaveCount {
  readonly named: number;
  readonly decided: number;
  readonly accepted: number;
  readonly finals: number;
  readonly succeeded: number;
  readonly released: number;
}

export interface RolloutState {
  /** [part][wave]: devices named and neither released nor skipped (rejected, named twice). */
  readonly pool: readonly (readonly number[])[];
  readonly waves: readonly WaveCount[];
  /** The current wave (from 0). */
  readonly wave: number;
  /** R-SAFE-3: the current wave is complete and waits for NEXT_WAVE (`operator`) or missed its threshold (`missed`, the campaign is paused). */
  readonly waiting: 'operator' | 'missed' | null;
  /** R-SAFE-2: the releases of the last minute. */
  readonly window: readonly Release[];
  readonly released: number;
  /** The rate last published (R-SAFE-2), to tell when a ramp raised it. */
  readonly rate: number | null;
  /** R-SAFE-4: the status a paused campaign resumes to. */
  readonly resumeTo: 'InProgress' | 'Scheduled' | null;
  /** R-SAFE-1: failures that were platform timeouts (the rest of `failed` the devices reported). */
  readonly timedOut: number;
  /**
   * R-SAFE-6: per cell, a persistent map (immutable's), so that counting one decision or result
   * costs O(log cells), not a copy of every cell; written to the changelog as a plain object.
   */
  readonly cells: PersistentMap<string, CellCount> | Readonly<Record<string, CellCount>>;
  readonly startedAt: number | null;
  /** R-SAFE-6: when the last estimate was published, and how many devices were final then. */
  readonly estimatedAt: number | null;
  readonly estimatedFinals?: number;
}

/** Cells counted one by one; a campaign over more cells counts the rest as one (its state stays far below a record). */
export const MAX_CELLS = 5_000;
export const OTHER_CELLS = '*';

const emptyWave: WaveCount = { named: 0, decided: 0, accepted: 0, finals: 0, succeeded: 0, released: 0 };

export function newRollout(request: CampaignRequest): RolloutState {
  const waves = Math.max(1, rolloutOf(request).waves.length);
  return { pool: [], waves: Array.from({ length: waves }, () => emptyWave), wave: 0, waiting: null, window: [], released: 0, rate: null, resumeTo: null, timedOut: 0, cells: {}, startedAt: null, estimatedAt: null };
}

/**
 * R-SAFE-3: the wave of each device of a part whose first device is the campaign's `first`-th.
 * By lists: the first wave naming it, else the last wave. By percent: wave k holds the devices
 * from the cumulative percent before it to its own, of `deviceCount`; the rest are in the last.
 */
export function wavesOf(r: RolloutRequest, deviceIds: readonly string[], first: number, deviceCount: number): number[] {
  const last = Math.max(0, r.waves.length - 1);
  if (r.waves.length <= 1) return deviceIds.map(() => 0);
  if (r.waves.some((w) => w.deviceIds.length > 0)) {
    const listed = new Map<string, number>();
    r.waves.forEach((w, k) => w.deviceIds.forEach((d) => listed.has(d) || listed.set(d, k)));
    return deviceIds.map((d) => listed.get(d) ?? last);
  }
  let cumulative = 0;
  const bounds = r.waves.map((w) => Math.round(((cumulative += w.percent ?? 0) * deviceCount) / 100));
  return deviceIds.map((_, i) => {
    const k = bounds.findIndex((b) => first + i < b);
    return k < 0 ? last : k;
  });
}

/** R-REQ-5: rollout parameters that cannot work put the campaign in RequestFailed, never clamped. */
export function rolloutProblem(r: RolloutRequest): string | undefined {
  for (const [i, c] of r.abortCriteria.entries()) {
    if (c.thresholdPercent < 0 || c.thresholdPercent > 100) return `abortCriteria[${i}].thresholdPercent must be 0–100, got ${c.thresholdPercent}`;
    if (!Number.isInteger(c.minFinished) || c.minFinished < 1) return `abortCriteria[${i}].minFinished must be at least 1, got ${c.minFinished}`;
  }
  if (r.rate) {
    const { maxPerMinute, ramp } = r.rate;
    if (!Number.isInteger(maxPerMinute) || maxPerMinute < 1) return `rate.maxPerMinute must be a whole number of at least 1, got ${maxPerMinute}`;
    if (ramp) {
      if (!Number.isInteger(ramp.basePerMinute) || ramp.basePerMinute < 1 || ramp.basePerMinute > maxPerMinute) return `rate.ramp.basePerMinute must be 1–${maxPerMinute}, got ${ramp.basePerMinute}`;
      if (!(ramp.factor > 1) || ramp.factor > 10) return `rate.ramp.factor must be above 1 and at most 10, got ${ramp.factor}`;
      if (!Number.isInteger(ramp.every) || ramp.every < 1) return `rate.ramp.every must be a whole number of at least 1, got ${ramp.every}`;
    }
  }
  const byList = r.waves.filter((w) => w.deviceIds.length > 0).length;
  if (byList > 0 && byList < r.waves.length - 1) return 'waves: give every wave a device list (the last may have none: it takes the devices no list names), or none';
  if (byList > 0 && r.waves.some((w) => w.percent !== null)) return 'waves: a wave is given by percent or by device list, and all waves of a campaign alike';
  if (byList === 0 && r.waves.length > 0) {
    const bad = r.waves.findIndex((w) => w.percent === null || !(w.percent > 0));
    if (bad >= 0) return `waves[${bad}].percent must be above 0`;
    const total = r.waves.reduce((n, w) => n + w.percent!, 0);
    if (total > 100) return `waves: the percentages add up to ${total}, more than 100`;
  }
  const threshold = r.waves.findIndex((w) => w.successThresholdPercent < 0 || w.successThresholdPercent > 100);
  if (threshold >= 0) return `waves[${threshold}].successThresholdPercent must be 0–100, got ${r.waves[threshold]!.successThresholdPercent}`;
  if (r.manualNextWave && r.waves.length < 2) return 'manualNextWave: the campaign has no second wave to wait for';
  // R-SAFE-5: devices join a dynamic campaign at any time, while waves run one after another.
  if (r.dynamic && r.waves.length > 1) return 'dynamic: a dynamic campaign runs in one wave (devices join it at any time); give no waves';
  return undefined;
}

/** R-SAFE-1: results a timeout ended: a platform wait that ran out, or an HTTP client that never reported. */
const timeoutCauses: ReadonlySet<string> = new Set([
  ...Object.values(stepTimeouts).flatMap((t) => (t ? [t.cause] : [])),
  resultDetails.applyWindowNeverReached,
  httpClientCodes.didNotReport,
]);
export const isTimeout = (cause: string | null) => cause !== null && timeoutCauses.has(cause);

const kindWords = { FAILED: 'failed', TIMED_OUT: 'timed out', ANY: 'failed or timed out' } as const;

/** R-SAFE-1: the first criterion the counts meet, worded as the abort's reason. */
export function abortReason(criteria: readonly AbortCriterion[], counts: { readonly succeeded: number; readonly failed: number; readonly timedOut: number }): string | undefined {
  const finished = counts.succeeded + counts.failed;
  for (const c of criteria) {
    const failing = c.failureKind === 'FAILED' ? counts.failed - counts.timedOut : c.failureKind === 'TIMED_OUT' ? counts.timedOut : counts.failed;
    const percent = (100 * failing) / finished;
    if (finished >= c.minFinished && finished > 0 && percent >= c.thresholdPercent) {
      return `abort criteria met: ${Math.round(percent)} % of ${finished} finished devices ${kindWords[c.failureKind]}, threshold ${c.thresholdPercent} %`;
    }
  }
  return undefined;
}

/** R-SAFE-3: a wave is complete when every device of it was decided and released or skipped, and every accepted one is final. */
export const waveComplete = (r: RolloutState, w: number) => {
  const c = r.waves[w]!;
  return c.decided >= c.named && r.pool.every((p) => (p[w] ?? 0) === 0) && c.finals >= c.accepted;
};

export const unreleased = (r: RolloutState) => r.pool.reduce((n, p) => n + p.reduce((m, x) => m + x, 0), 0);

/** The wave's success as its reason words it. */
export function waveSummary(c: WaveCount, threshold: number): { met: boolean; text: string } {
  const percent = c.finals === 0 ? 100 : (100 * c.succeeded) / c.finals;
  return { met: percent >= threshold, text: `${Math.round(percent)} % of ${c.finals} final results succeeded, threshold ${threshold} %` };
}

/** The cells as a persistent map, also when restored from the changelog as a plain object. */
export const cellsOf = (r: RolloutState): PersistentMap<string, CellCount> => (PersistentMap.isMap(r.cells) ? (r.cells as PersistentMap<string, CellCount>) : PersistentMap(r.cells as Record<string, CellCount>));

/** R-SAFE-6: a mean that follows the latest values (a campaign's pace changes as its load does). */
const recentMean = (mean: number | undefined, x: number) => (mean === undefined ? x : mean + RECENT_WEIGHT * (x - mean));
const RECENT_WEIGHT = 0.2;

/** R-SAFE-6: counts a device's cell (the limit its radio gave at acceptance); devices without a cell token share the bucket "". */
export function countCell(r: RolloutState, cellId: string | null, change: { readonly accepted?: number; readonly finalAt?: number; readonly limit?: number; readonly heldMs?: number | null }): RolloutState {
  const cells = cellsOf(r);
  let id = cellId ?? '';
  if (!cells.has(id) && cells.size >= MAX_CELLS) id = OTHER_CELLS;
  const c = cells.get(id) ?? { accepted: 0, finals: 0, limit: change.limit ?? 0 };
  const at = change.finalAt;
  const finals = at === undefined ? c : { finals: c.finals + 1, firstFinalAt: Math.min(c.firstFinalAt ?? at, at), lastFinalAt: Math.max(c.lastFinalAt ?? at, at), ...(c.lastFinalAt === undefined ? {} : { gapMs: recentMean(c.gapMs, Math.max(0, at - c.lastFinalAt)) }) };
  const held = typeof change.heldMs === 'number' ? { held: (c.held ?? 0) + 1, heldMs: recentMean(c.heldMs, change.heldMs) } : {};
  return { ...r, cells: cells.set(id, { ...c, ...finals, ...held, accepted: c.accepted + (change.accepted ?? 0), limit: c.limit || (change.limit ?? 0) }) };
}
