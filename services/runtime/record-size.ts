import type { OutMessage } from './kafka/port.ts';

/**
 * The most one record (key, value and headers) may weigh. A broker refuses a record batch over
 * its `message.max.bytes` (1,048,588 bytes by default), and a record alone is a batch with some
 * 60–100 bytes of framing; the rest is kept as headroom. Dead-letter topics allow twice that
 * (topics/*.dlq.json), so a dead letter always has room for the original record and its reason.
 */
export const MAX_RECORD_BYTES = 1_000_000;

export function recordBytes(m: OutMessage): number {
  let n = bytesOf(m.key) + bytesOf(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    n += Buffer.byteLength(k);
    for (const one of Array.isArray(v) ? v : [v]) n += bytesOf(one);
  }
  return n;
}

function bytesOf(v: Buffer | string | null | undefined): number {
  return v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
