import { describe, expect, it } from 'vitest';
import { estimateErrors, showEstimateErrors } from './estimate-error.ts';

describe('completion estimate error', () => {
  it('R-SAFE-6: compares the estimate in force at 25, 50 and 75 % of the results with the actual end', () => {
    const results = [10, 20, 30, 40, 50, 60, 70, 80].map((s) => s * 1000);
    const estimates = [{ at: 5_000, estimatedEndAt: 100_000 }, { at: 40_000, estimatedEndAt: 75_000 }];
    const errors = estimateErrors(estimates, results);
    expect(errors).toEqual([
      { progress: 25, errorSeconds: 20, errorOfRemaining: 20 / 60 },
      { progress: 50, errorSeconds: -5, errorOfRemaining: -5 / 40 },
      { progress: 75, errorSeconds: -5, errorOfRemaining: -5 / 20 },
    ]);
    expect(showEstimateErrors(errors)).toBe('25 %: +20.0 s (33 % of the time left), 50 %: -5.0 s (-13 % of the time left), 75 %: -5.0 s (-25 % of the time left)');
    expect(estimateErrors([], results)[0]).toEqual({ progress: 25, errorSeconds: null, errorOfRemaining: null });
  });
});
