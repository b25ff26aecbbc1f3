import type { OutMessage } from './kafka/port.ts';
import { recordBytes } from './record-size.ts';

const MAX_MESSAGES_PER_SEND = 2000;
// A broker refuses a record batch over message.max.bytes (1 MiB by default), and the records of
// one send to one partition form one batch: a changelog partition takes a whole task's states,
// and records under one key all go to one partition.
const MAX_BYTES_PER_SEND = 512 * 1024;

/** Splits records into sends that no broker refuses for size (a record over MAX_RECORD_BYTES still may be). */
export function* sendChunks(list: readonly OutMessage[]): Generator<OutMessage[]> {
  let chunk: OutMessage[] = [];
  let bytes = 0;
  for (const m of list) {
    const size = recordBytes(m) + 64;
    if (chunk.length > 0 && (chunk.length >= MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
