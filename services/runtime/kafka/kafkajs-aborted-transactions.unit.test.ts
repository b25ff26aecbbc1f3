import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' own filter of a read_committed fetch, as patches/kafkajs+2.2.4.patch leaves it.
const filterAbortedMessages = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as (args: {
  messages: { offset: string; key: Buffer | null; batchContext: { producerId: string; inTransaction: boolean } }[];
  abortedTransactions: { firstOffset: string; producerId: string }[];
}) => { offset: string }[];

const record = (offset: number, producerId: string, marker = false) => ({ offset: String(offset), key: marker ? Buffer.from([0, 0, 0, 0]) : Buffer.from('k'), batchContext: { producerId, inTransaction: true } });

describe('read_committed consumption (kafkajs, patched)', () => {
  it('R-RES-4: drops the records of every aborted transaction, however many begin before a record a fetch returns', () => {
    // Three task producers each had a transaction open when the broker restarted: all three were aborted.
    const messages = [record(10, 'a'), record(11, 'b'), record(12, 'c'), record(13, 'a', true), record(14, 'b', true), record(15, 'c', true), record(16, 'a')];
    const kept = filterAbortedMessages({
      messages: messages.slice(2),
      abortedTransactions: [
        { firstOffset: '11', producerId: 'b' },
        { firstOffset: '10', producerId: 'a' },
        { firstOffset: '12', producerId: 'c' },
      ],
    });
    // The fetch starts at 12: transactions of a and b began before it, and neither may leak through.
    expect(kept.map((m) => m.offset)).toEqual(['13', '14', '15', '16']);
  });
});
