import { describe, expect, it } from 'vitest';
import { compareDrivers, showSpread, spreadOf } from './driver-comparison.ts';

describe('the bench comparison of Kafka drivers over rounds', () => {
  it('gives the median and range of an odd and an even number of rounds', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: [3, 1, 2] });
    expect(spreadOf([4, 1, 2, 3]).median).toBe(2.5);
    expect(() => spreadOf([])).toThrow('no values');
  });

  it('takes each ratio within its round, so a slow round slows both drivers alike', () => {
    type Report = { raw?: number };
    const rounds = [
      new Map<string, Report>([['kafkajs', { raw: 100 }], ['platformatic', { raw: 130 }]]),
      new Map<string, Report>([['kafkajs', { raw: 50 }], ['platformatic', { raw: 60 }]]),
      new Map<string, Report>([['kafkajs', { raw: 80 }], ['platformatic', { raw: 112 }]]),
    ];
    const table = compareDrivers(rounds, [['raw', (r) => r.raw], ['not run', () => undefined]]);
    expect(Object.keys(table)).toEqual(['raw']);
    expect(table.raw!.figures.kafkajs).toMatchObject({ median: 80, min: 50, max: 100 });
    expect(table.raw!.figures.platformatic).toMatchObject({ median: 112, min: 60, max: 130 });
    // The ratios of the rounds are 1.3, 1.2 and 1.4: not 112 ÷ 80 of the medians.
    expect(table.raw!.ratios['platformatic ÷ kafkajs']!.median).toBeCloseTo(1.3);
    expect(table.raw!.ratios['platformatic ÷ kafkajs']!.min).toBeCloseTo(1.2);
    expect(showSpread(table.raw!.ratios['platformatic ÷ kafkajs']!, 2)).toBe('1.30 (1.20–1.40)');
    expect(showSpread(spreadOf([7]), 0)).toBe('7');
  });
});
