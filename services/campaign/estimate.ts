/**
 * R-SAFE-6: when a running campaign will be complete, from what the campaign counts: per cell, its
 * accepted devices, its final results, when its first and last ones came, the token hold times its
 * devices reported, and its limit (R-CELL-1, from the devices' radio at acceptance); the devices
 * not released yet and the start rate (R-SAFE-2); the waves still to go (R-SAFE-3). Pure and O(cells).
 *
 * A cell with more devices than its limit works through them in rounds of `limit`, one round per
 * token hold and hand-over. The length of a round is taken from every cell at once, since one
 * cell's first results say little: the median of the cells' token hold times as their devices
 * reported them (grant to result), before any did the median pace of the cells that have shown two
 * rounds (`limit` × the time between their results), before that the median time the first
 * results took from the start. A cell that has shown rounds moves from that common round towards
 * its own pace as it shows more (its own weighs as many rounds as it has shown against SHRINK for
 * the common one). Hold times and paces are means weighted to the latest results: a campaign's
 * pace changes with its load, and the devices that need no token leave early.
 * A cell's devices left take left ÷ width rounds from its last result (from now, rounded up,
 * before it has one), so the slowest cell is the one with the most rounds left, not the noisiest.
 * A cell whose devices all fit its limit runs them at once; it ends about when its first ones did.
 * Devices that take no cell token (HTTP, MQTT) form one bucket as wide as its devices. Devices not
 * released yet come at the rate in force, each then taking about a round; every wave boundary
 * still to cross costs one more round, since a wave waits for the previous one's last result.
 */
export interface CellCount {
  /** Accepted devices of the cell, final results from it, and its limit (0: no cell token). */
  readonly accepted: number;
  readonly finals: number;
  readonly limit: number;
  /** When its first and last final results came (absent: none yet). */
  readonly firstFinalAt?: number;
  readonly lastFinalAt?: number;
  /** The time between its results, mean weighted to the latest (absent: fewer than two). */
  readonly gapMs?: number;
  /** How many results held a cell token, and for how long, mean weighted to the latest (absent: none). */
  readonly held?: number;
  readonly heldMs?: number;
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

/** How many rounds the common round weighs against a cell's own pace. */
const SHRINK = 16;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const duration = (ms: number) => (ms < 2 * MINUTE ? `${(ms / 1000).toFixed(1)} s` : `${(ms / MINUTE).toFixed(1)} min`);

export function estimateCompletion(e: EstimateInput): Estimate | undefined {
  const entries = [...e.cells];
  const cells = entries.map(([, c]) => c);
  const width = (c: CellCount) => Math.max(1, c.limit > 0 ? Math.min(c.limit, c.accepted) : c.accepted);
  const tokenBound = (c: CellCount) => c.limit > 0 && c.accepted > c.limit;
  const rounds = (c: CellCount) => tokenBound(c) && c.finals > c.limit;
  /** One round of a cell's tokens at its own recent pace: `limit` × the time between its results. */
  const ownRound = (c: CellCount) => c.limit * Math.max(1, c.gapMs ?? (c.lastFinalAt! - c.firstFinalAt!) / (c.finals - 1));
  const held = cells.filter((c) => c.held).map((c) => Math.max(1, c.heldMs!));
  const firsts = cells.filter((c) => c.finals > 0).map((c) => Math.max(1, c.firstFinalAt! - e.startedAt));
  if (firsts.length === 0) return undefined;
  const paced = cells.filter(rounds).map(ownRound);
  const round = median(held.length > 0 ? held : paced.length > 0 ? paced : firsts);
  const roundOf = (c: CellCount) => {
    if (!rounds(c)) return round;
    const shown = c.finals / c.limit - 1;
    return (shown * ownRound(c) + SHRINK * round) / (shown + SHRINK);
  };
  let slowest = { id: '', ms: 0, left: 0 };
  cells.forEach((c, i) => {
    const left = Math.max(0, c.accepted - c.finals);
    if (left === 0) return;
    let ms: number;
    if (!tokenBound(c)) ms = c.finals > 0 ? Math.max(0, c.lastFinalAt! - e.now) : round;
    else if (c.finals > 0) ms = Math.max(0, c.lastFinalAt! + (left / width(c)) * roundOf(c) - e.now);
    else ms = Math.ceil(left / width(c)) * round;
    if (ms > slowest.ms || slowest.left === 0) slowest = { id: entries[i]![0], ms, left };
  });
  const released = e.unreleased > 0 && e.ratePerMinute !== null ? (e.unreleased / e.ratePerMinute) * MINUTE + round : e.unreleased > 0 ? round : 0;
  const ms = Math.max(slowest.ms, released) + e.wavesLeft * round;
  const at = Math.round(e.endAt === null ? e.now + ms : Math.min(e.endAt, e.now + ms));
  const parts = [
    slowest.left > 0 ? `${slowest.left} devices left in the slowest cell${slowest.id ? ` ${slowest.id}` : ' (no cell token)'}` : 'no device left in any cell',
    `a round of tokens about ${duration(round)}`,
    ...(e.unreleased > 0 ? [`${e.unreleased} devices not released yet${e.ratePerMinute === null ? '' : ` at ${e.ratePerMinute}/min`}`] : []),
    ...(e.wavesLeft > 0 ? [`${e.wavesLeft} more waves`] : []),
  ];
  return { at, reason: parts.join('; ') };
}
