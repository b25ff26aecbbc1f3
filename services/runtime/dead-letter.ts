import type { Headers, OutMessage } from './kafka/port.ts';
import type { ErrorKind } from './errors.ts';

/** What a dead letter carries besides the original key and bytes, as headers. */
export const deadLetterHeaders = {
  reason: 'otaflow.dlq.reason',
  kind: 'otaflow.dlq.kind',
  service: 'otaflow.dlq.service',
  topic: 'otaflow.dlq.source.topic',
  partition: 'otaflow.dlq.source.partition',
  offset: 'otaflow.dlq.source.offset',
} as const;

/** A reason quotes at most this many characters: the input it quotes may be a megabyte. */
export const MAX_REASON_CHARS = 1_000;

export interface DeadLetterSource {
  readonly service: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Headers;
}

/**
 * The original key, value and headers as received, plus why and where from, on the partition of
 * the source record (a dead-letter topic has its source's partition count, topics.ts). Naming the
 * partition also spares hashing the key: kafkajs' murmur2 grows a BigInt with every 4 bytes of
 * key, so hashing a hostile 450 KB key takes minutes of CPU.
 */
export function deadLetter(source: DeadLetterSource, reason: string, kind: Exclude<ErrorKind, 'transient'> = 'invalid'): OutMessage {
  return {
    key: source.key,
    value: source.value,
    partition: source.partition,
    headers: {
      ...(source.headers ?? {}),
      [deadLetterHeaders.reason]: boundedReason(reason),
      [deadLetterHeaders.kind]: kind,
      [deadLetterHeaders.service]: source.service,
      [deadLetterHeaders.topic]: source.topic,
      [deadLetterHeaders.partition]: String(source.partition),
      [deadLetterHeaders.offset]: source.offset,
    },
  };
}

export function boundedReason(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS)}… (${reason.length} characters, cut)`;
}
