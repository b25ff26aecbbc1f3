import type { Batch, BatchEnd, Headers, InMessage } from './port.ts';

/** The parts of a fetched partition a batch is made of (@platformatic/kafka's FetchResponsePartition and RecordsBatch). */
export interface FetchedPartition {
  readonly highWatermark: bigint;
  readonly abortedTransactions: readonly { readonly producerId: bigint; readonly firstOffset: bigint }[] | null;
  readonly records?: readonly RecordBatch[] | null | undefined;
}

export interface RecordBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: bigint;
  readonly attributes: number;
  readonly producerId: bigint;
  readonly records: readonly {
    readonly offsetDelta: number;
    readonly timestampDelta: bigint;
    readonly key: Buffer | null;
    readonly value: Buffer | null;
    readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
  }[];
}

const IS_TRANSACTIONAL = 0b1_0000;
const IS_CONTROL = 0b10_0000;
const ABORT_MARKER = 0;

/**
 * One fetch of one partition as the port's batch, with its end; undefined when it covered nothing
 * from `fetchedOffset` on. Read_committed is completed here: the broker stops a fetch at the last
 * stable offset but leaves aborted transactions' records in it, listing them instead. As the Java
 * client does, a producer's transactional records are dropped from the first offset of each of its
 * aborted transactions until its abort marker (R-RES-4). @platformatic/kafka's own filter, which
 * patches/@platformatic+kafka+2.12.1.patch takes out of its `fetch`, kept one aborted range per
 * producer and ended it at the producer's last abort marker in the fetch: the committed
 * transactions between two aborts of one producer were lost (read-committed.int.test.ts).
 * The end covers the markers too: a fetch of markers only is an empty batch that still moved on.
 */
export function batchOf(topic: string, partition: number, fetchedOffset: bigint, fetched: FetchedPartition): { batch: Batch; end: BatchEnd } | undefined {
  const batches = fetched.records ?? [];
  const last = batches.at(-1);
  if (!last) return undefined;
  const lastOffset = last.firstOffset + BigInt(last.lastOffsetDelta);
  if (lastOffset < fetchedOffset) return undefined;
  const pending = [...(fetched.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const aborting = new Set<bigint>();
  const messages: InMessage[] = [];
  for (const b of batches) {
    const batchLast = b.firstOffset + BigInt(b.lastOffsetDelta);
    while (pending.length > 0 && pending[0]!.firstOffset <= batchLast) aborting.add(pending.shift()!.producerId);
    if (b.attributes & IS_CONTROL) {
      if (b.records[0]?.key?.readInt16BE(2) === ABORT_MARKER) aborting.delete(b.producerId);
      continue;
    }
    if (b.attributes & IS_TRANSACTIONAL && aborting.has(b.producerId)) continue;
    for (const r of b.records) {
      const offset = b.firstOffset + BigInt(r.offsetDelta);
      if (offset < fetchedOffset) continue;
      messages.push({ key: r.key, value: r.value, offset: offset.toString(), timestamp: (b.firstTimestamp + r.timestampDelta).toString(), headers: headersOf(r.headers) });
    }
  }
  const lag = fetched.highWatermark - 1n - lastOffset;
  return {
    batch: { topic, partition, messages, fetchedOffset: fetchedOffset.toString(), lastOffset: lastOffset.toString() },
    end: { topic, partition, size: messages.length, firstOffset: messages[0]?.offset ?? fetchedOffset.toString(), lastOffset: lastOffset.toString(), offsetLag: (lag > 0n ? lag : 0n).toString() },
  };
}

/** Headers as kafkajs reads them: a name sent more than once reads as an array of its values. */
function headersOf(entries: readonly (readonly [Buffer | null, Buffer | null])[]): Headers {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [k, v] of entries) {
    if (!k || !v) continue;
    const name = k.toString('utf8');
    const seen = headers[name];
    headers[name] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return headers;
}
