import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WakeHeap } from './wake-heap.ts';

describe('wake heap', () => {
  it('R-FLOW-5: returns each due key once, earliest first, and honours rescheduling', () => {
    const h = new WakeHeap();
    h.set('a', 30);
    h.set('b', 10);
    h.set('c', 20);
    h.set('a', 5);
    h.set('c', undefined);
    expect(h.takeDue(25, 10)).toEqual([
      { key: 'a', at: 5 },
      { key: 'b', at: 10 },
    ]);
    expect(h.takeDue(100, 10)).toEqual([]);
    expect(h.size).toBe(0);
  });

  it('matches a sorted reference for any sequence of sets (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }))), fc.integer({ min: 0, max: 1000 }), (ops, now) => {
        const h = new WakeHeap();
        const ref = new Map<string, number>();
        for (const [k, at] of ops) {
          h.set(`k${k}`, at);
          if (at === undefined) ref.delete(`k${k}`);
          else ref.set(`k${k}`, at);
        }
        const expected = [...ref].filter(([, at]) => at <= now).sort((x, y) => x[1] - y[1]).map(([, at]) => at);
        expect(h.takeDue(now, 1000).map((d) => d.at)).toEqual(expected);
      }),
    );
  });
});
