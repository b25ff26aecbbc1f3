/**
 * R-SAFE-6: how far a campaign's completion estimates were off. At 25, 50 and 75 % of its
 * results, the latest estimate published by then is compared with the actual end (its last
 * result): the error in seconds (positive: it said later than it was) and as a share of the
 * time that was actually left then.
 */
export interface EstimateError {
  readonly progress: number;
  /** The estimate in force then, or null when none had been published yet. */
  readonly errorSeconds: number | null;
  readonly errorOfRemaining: number | null;
}

export function estimateErrors(estimates: readonly { readonly at: number; readonly estimatedEndAt: number }[], resultTimes: readonly number[], progress: readonly number[] = [25, 50, 75]): EstimateError[] {
  const times = [...resultTimes].sort((a, b) => a - b);
  const end = times.at(-1) ?? 0;
  const byTime = [...estimates].sort((a, b) => a.at - b.at);
  return progress.map((p) => {
    const at = times[Math.max(0, Math.ceil((p / 100) * times.length) - 1)] ?? 0;
    const latest = byTime.filter((e) => e.at <= at).at(-1);
    if (!latest) return { progress: p, errorSeconds: null, errorOfRemaining: null };
    const error = latest.estimatedEndAt - end;
    return { progress: p, errorSeconds: error / 1000, errorOfRemaining: end > at ? error / (end - at) : null };
  });
}

export const showEstimateErrors = (errors: readonly EstimateError[]) =>
  errors.map((e) => `${e.progress} %: ${e.errorSeconds === null ? 'no estimate yet' : `${e.errorSeconds >= 0 ? '+' : ''}${e.errorSeconds.toFixed(1)} s${e.errorOfRemaining === null ? '' : ` (${(100 * e.errorOfRemaining).toFixed(0)} % of the time left)`}`}`).join(', ');
