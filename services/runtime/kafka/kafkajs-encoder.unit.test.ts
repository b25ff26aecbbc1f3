import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' record encoding, as patches/kafkajs+2.2.4.patch leaves it: encoders take unzeroed, pooled buffers.
const require = createRequire(import.meta.url);
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: { offsetDelta?: number; key: Buffer; value: Buffer; headers?: Record<string, Buffer> }) => { buffer: Buffer };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => { readVarInt(): number };
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (decoder: unknown, batchContext: object) => { key: Buffer; value: Buffer; headers: Record<string, Buffer> };

/** Leaves the allocation pool full of 0xff, as other code's buffers leave it. */
const dirtyPool = () => {
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(512).fill(0xff);
};

describe('record encoding (kafkajs, patched)', () => {
  it('R-RES-4: a record encoded in reused, unzeroed memory has the same bytes and decodes to what was sent', () => {
    const record = { offsetDelta: 7, key: Buffer.from('device-42'), value: Buffer.from('x'.repeat(700)), headers: { source: Buffer.from('otaflow') } };
    const first = Buffer.from(encodeRecord(record).buffer);
    dirtyPool();
    const second = Buffer.from(encodeRecord(record).buffer);
    expect(second.equals(first)).toBe(true);
    const decoder = new Decoder(second);
    expect(decoder.readVarInt()).toBe(second.length - 2); // the record's length prefix (two bytes here)
    const decoded = decodeRecord(decoder, { firstOffset: '0', firstTimestamp: '0', magicByte: 2 });
    expect(decoded.key.toString()).toBe('device-42');
    expect(decoded.value.toString()).toBe('x'.repeat(700));
    expect(decoded.headers.source!.toString()).toBe('otaflow');
  });

  it('a small record takes a slice of the shared pool, not a backing store of its own for the garbage collector to sweep', () => {
    const small = encodeRecord({ key: Buffer.from('k'), value: Buffer.from('v') }).buffer;
    expect(small.buffer.byteLength).toBe(Buffer.poolSize);
  });
});
