import type { IHeaders, Message } from 'kafkajs';

/** What a dead letter carries besides the original key and bytes, as headers. */
export const deadLetterHeaders = {
  reason: 'otaflow.dlq.reason',
  service: 'otaflow.dlq.service',
  topic: 'otaflow.dlq.source.topic',
  partition: 'otaflow.dlq.source.partition',
  offset: 'otaflow.dlq.source.offset',
} as const;

export interface DeadLetterSource {
  readonly service: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

export function deadLetter(source: DeadLetterSource, reason: string): Message {
  return {
    key: source.key,
    value: source.value,
    headers: {
      ...(source.headers ?? {}),
      [deadLetterHeaders.reason]: reason,
      [deadLetterHeaders.service]: source.service,
      [deadLetterHeaders.topic]: source.topic,
      [deadLetterHeaders.partition]: String(source.partition),
      [deadLetterHeaders.offset]: source.offset,
    },
  };
}
