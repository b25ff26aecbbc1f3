import { describe, expect, it } from 'vitest';
import { batchOf, type RecordBatch } from './platformatic-batches.ts';

const TRANSACTIONAL = 0b1_0000;
const CONTROL = 0b10_0000;
const marker = (offset: number, producerId: bigint, commit: boolean): RecordBatch => ({
  firstOffset: BigInt(offset),
  lastOffsetDelta: 0,
  firstTimestamp: 0n,
  attributes: TRANSACTIONAL | CONTROL,
  producerId,
  records: [{ offsetDelta: 0, timestampDelta: 0n, key: Buffer.from([0, 0, 0, commit ? 1 : 0]), value: null, headers: [] }],
});
const data = (offset: number, count: number, producerId: bigint): RecordBatch => ({
  firstOffset: BigInt(offset),
  lastOffsetDelta: count - 1,
  firstTimestamp: 1_000n,
  attributes: TRANSACTIONAL,
  producerId,
  records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: BigInt(i), key: Buffer.from('k'), value: Buffer.from(`v${offset + i}`), headers: [] })),
});
const offsets = (b: ReturnType<typeof batchOf>) => b!.batch.messages.map((m) => Number(m.offset));

describe('a fetched partition as a batch (@platformatic/kafka driver)', () => {
  it('R-RES-4: drops every aborted transaction of a producer, however many one fetch holds', () => {
    // Producer 7: aborted 0-1, committed 3-4, aborted 6-7; its abort and commit markers at 2, 5, 8.
    const records = [data(0, 2, 7n), marker(2, 7n, false), data(3, 2, 7n), marker(5, 7n, true), data(6, 2, 7n), marker(8, 7n, false)];
    const b = batchOf('t', 0, 0n, { highWatermark: 9n, abortedTransactions: [{ producerId: 7n, firstOffset: 0n }, { producerId: 7n, firstOffset: 6n }], records });
    expect(offsets(b)).toEqual([3, 4]);
  });

  it('R-RES-4: drops an aborted transaction whose abort marker is beyond the fetch', () => {
    const b = batchOf('t', 0, 0n, { highWatermark: 20n, abortedTransactions: [{ producerId: 3n, firstOffset: 2n }], records: [data(0, 2, 4n), data(2, 3, 3n)] });
    expect(offsets(b)).toEqual([0, 1]);
  });

  it('keeps the records of other producers interleaved with an aborted transaction', () => {
    const records = [data(0, 1, 1n), data(1, 1, 2n), marker(2, 1n, false), data(3, 1, 2n), marker(4, 2n, true)];
    const b = batchOf('t', 0, 0n, { highWatermark: 5n, abortedTransactions: [{ producerId: 1n, firstOffset: 0n }], records });
    expect(offsets(b)).toEqual([1, 3]);
  });

  it('reports a fetch of transaction markers only as an empty batch that reached its last offset', () => {
    const b = batchOf('t', 0, 5n, { highWatermark: 6n, abortedTransactions: null, records: [marker(5, 1n, true)] });
    expect(b!.batch).toMatchObject({ messages: [], fetchedOffset: '5', lastOffset: '5' });
    expect(b!.end).toMatchObject({ size: 0, lastOffset: '5', offsetLag: '0' });
  });

  it('leaves out records before the offset asked for (a fetch returns whole record batches)', () => {
    const b = batchOf('t', 0, 2n, { highWatermark: 10n, abortedTransactions: null, records: [data(0, 4, 1n)] });
    expect(offsets(b)).toEqual([2, 3]);
    expect(b!.end).toMatchObject({ size: 2, firstOffset: '2', lastOffset: '3', offsetLag: '6' });
    expect(batchOf('t', 0, 4n, { highWatermark: 10n, abortedTransactions: null, records: [data(0, 4, 1n)] })).toBeUndefined();
  });
});
