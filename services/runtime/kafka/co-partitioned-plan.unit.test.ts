import { describe, expect, it } from 'vitest';
import { coPartitionedPlan } from './co-partitioned-plan.ts';

describe('co-partitioned assignment', () => {
  it('gives partition p of every topic to one member, round-robin over the members sorted by id', () => {
    const plan = coPartitionedPlan(['m-b', 'm-a'], new Map([['inputs', 3], ['changelog', 3]]));
    expect(Object.fromEntries(plan)).toEqual({ 'm-a': { inputs: [0, 2], changelog: [0, 2] }, 'm-b': { inputs: [1], changelog: [1] } });
  });

  it('is the same plan whichever member computes it, and leaves a member beyond the tasks without partitions', () => {
    const counts = new Map([['inputs', 2]]);
    expect(coPartitionedPlan(['x', 'y', 'z'], counts)).toEqual(coPartitionedPlan(['z', 'x', 'y'], counts));
    expect(coPartitionedPlan(['x', 'y', 'z'], counts).get('z')).toEqual({});
  });

  it('gives a topic with fewer partitions only the tasks it has', () => {
    const plan = coPartitionedPlan(['a', 'b'], new Map([['inputs', 4], ['table', 1]]));
    expect(plan.get('a')).toEqual({ inputs: [0, 2], table: [0] });
    expect(plan.get('b')).toEqual({ inputs: [1, 3] });
  });
});
