import { describe, expect, it } from 'vitest';
import { sendChunks } from './send-chunks.ts';

describe('send chunks', () => {
  it('keeps every send under the broker record-batch limit and in order', () => {
    const big = Buffer.alloc(100 * 1024);
    const list = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: big }));
    const chunks = [...sendChunks(list)];
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.reduce((n, m) => n + (m.value as Buffer).length, 0)).toBeLessThanOrEqual(512 * 1024);
    expect(chunks.flat().map((m) => m.key)).toEqual(list.map((m) => m.key));
  });

  it('caps the record count of a send, and passes an oversized record alone', () => {
    expect([...sendChunks(Array.from({ length: 4500 }, (_, i) => ({ key: String(i), value: 'x' })))].map((c) => c.length)).toEqual([2000, 2000, 500]);
    expect([...sendChunks([{ key: 'a', value: Buffer.alloc(2 * 1024 * 1024) }, { key: 'b', value: 'x' }])].map((c) => c.length)).toEqual([1, 1]);
  });
});
