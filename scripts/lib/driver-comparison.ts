/**
 * The bench's side-by-side figures of the Kafka drivers over several rounds (BENCH_ROUNDS): per
 * step and driver the median and range of its rounds, and per other driver the median and range of
 * its ratio to the first driver's figure of the same round. A ratio is taken within a round, as
 * the machine's load moves both drivers of one round alike and the rounds apart.
 */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('a spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: values };
}

export interface StepComparison {
  /** Per driver, its figure of each round. */
  readonly figures: Readonly<Record<string, Spread>>;
  /** Per driver after the first, `<driver> ÷ <first>` of each round. */
  readonly ratios: Readonly<Record<string, Spread>>;
}

/**
 * `rounds[r]` maps each driver, the first being the baseline, to its report of round r; `steps`
 * names each compared figure and reads it from a report (undefined: the step did not run).
 */
export function compareDrivers<R>(rounds: readonly ReadonlyMap<string, R>[], steps: readonly (readonly [string, (r: R) => number | undefined])[]): Record<string, StepComparison> {
  const drivers = [...(rounds[0]?.keys() ?? [])];
  const [first, ...others] = drivers;
  const table: Record<string, StepComparison> = {};
  for (const [step, figure] of steps) {
    const of = (driver: string) => rounds.map((round) => figure(round.get(driver)!));
    const base = of(first!);
    if (base.some((v) => v === undefined)) continue;
    const figures: Record<string, Spread> = { [first!]: spreadOf(base as number[]) };
    const ratios: Record<string, Spread> = {};
    for (const d of others) {
      const values = of(d);
      if (values.some((v) => v === undefined)) continue;
      figures[d] = spreadOf(values as number[]);
      ratios[`${d} ÷ ${first}`] = spreadOf(values.map((v, i) => v! / base[i]!));
    }
    table[step] = { figures, ratios };
  }
  return table;
}

/** `median (min–max)`, or the one figure of a single round. */
export function showSpread(s: Spread, digits: number): string {
  const f = (v: number) => v.toFixed(digits);
  return s.runs.length === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
