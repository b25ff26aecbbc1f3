/**
 * R-SAFE-6: when a running campaign will be complete, from what the campaign counts: per cell, its
 * accepted devices, its final results, when its first and last ones came, and its limit (R-CELL-1,
 * from the devices' radio at acceptance); the devices not released yet and the start rate
 * (R-SAFE-2); the waves still to go (R-SAFE-3). Pure and O(cells).
 *
 * A cell with more devices than its limit works through them `limit` at a time, in rounds whose
 * results come together: once it has results of two rounds (more than `limit`), the time between
 * them (first to last, over the results less one) is its pace, `limit` × that its token hold time,
 * and its devices left take left × the pace. A cell whose devices all fit its limit runs them at
 * once and says nothing about holding a token; it ends about when its first ones did. A cell with
 * fewer results takes ceil(left / width) rounds of the median hold time of the token-bound cells
 * (or, before any has two results, of the time its first results took from the first release).
 * Devices that take no cell token (HTTP, MQTT) form one bucket as wide as its devices. Devices not
 * released yet come at the rate in force, each then taking about a hold time; every wave boundary
 * still to cross costs one more hold time, since a wave waits for the previous one's last result.
 */
export interface CellCount {
  /** Accepted devices of the cell, final results from it, and its limit (0: no cell token). */
  readonly accepted: number;
  readonly finals: number;
  readonly limit: number;
  /** When its first and last final results came (absent: none yet). */
  readonly firstFinalAt?: number;
  readonly lastFinalAt?: number;
}

export interface EstimateInput {
  readonly now: number;
  readonly startedAt: number;
  readonly cells: Iterable<readonly [string, CellCount]>;
  readonly unreleased: number;
  readonly ratePerMinute: number | null;
  readonly wavesLeft: number;
  readonly endAt: number | null;
}

export interface Estimate {
  readonly at: number;
  readonly reason: string;
}

const MINUTE = 60_000;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export function estimateCompletion(e: EstimateInput): Estimate | undefined {
  const cells = [...e.cells];
  const width = (c: CellCount) => Math.max(1, c.limit > 0 ? Math.min(c.limit, c.accepted) : c.accepted);
  const tokenBound = (c: CellCount) => c.limit > 0 && c.accepted > c.limit;
  /** The time between a cell's results. */
  const pace = (c: CellCount) => Math.max(1, c.lastFinalAt! - c.firstFinalAt!) / (c.finals - 1);
  const rounds = (c: CellCount) => tokenBound(c) && c.finals > c.limit;
  const paced = cells.filter(([, c]) => rounds(c)).map(([, c]) => c.limit * pace(c));
  const firsts = cells.filter(([, c]) => c.finals > 0).map(([, c]) => Math.max(1, c.firstFinalAt! - e.startedAt));
  if (firsts.length === 0) return undefined;
  const hold = median(paced.length > 0 ? paced : firsts);
  let slowest = { id: '', ms: 0, left: 0 };
  for (const [id, c] of cells) {
    const left = Math.max(0, c.accepted - c.finals);
    if (left === 0) continue;
    let ms: number;
    if (rounds(c)) ms = Math.max(0, c.lastFinalAt! + left * pace(c) - e.now);
    else if (!tokenBound(c) && c.finals > 0) ms = Math.max(0, c.lastFinalAt! - e.now);
    else ms = Math.ceil(left / width(c)) * hold;
    if (ms > slowest.ms || slowest.left === 0) slowest = { id, ms, left };
  }
  const released = e.unreleased > 0 && e.ratePerMinute !== null ? (e.unreleased / e.ratePerMinute) * MINUTE + hold : e.unreleased > 0 ? hold : 0;
  const ms = Math.max(slowest.ms, released) + e.wavesLeft * hold;
  const at = Math.round(e.endAt === null ? e.now + ms : Math.min(e.endAt, e.now + ms));
  const parts = [
    slowest.left > 0 ? `${slowest.left} devices left in the slowest cell${slowest.id ? ` ${slowest.id}` : ' (no cell token)'}` : 'no device left in any cell',
    `token hold about ${(hold / MINUTE).toFixed(1)} min`,
    ...(e.unreleased > 0 ? [`${e.unreleased} devices not released yet${e.ratePerMinute === null ? '' : ` at ${e.ratePerMinute}/min`}`] : []),
    ...(e.wavesLeft > 0 ? [`${e.wavesLeft} more waves`] : []),
  ];
  return { at, reason: parts.join('; ') };
}
