import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { errorKind } from '../errors.ts';

describe('error kinds of kafkajs errors', () => {
  it('calls an unreachable broker transient', () => {
    expect(errorKind(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'))).toBe('transient');
  });

  it('looks through kafkajs giving up on retries to the error that made it retry', () => {
    const gaveUpOnBroker = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), { retryCount: 5, retryTime: 100 });
    expect(errorKind(gaveUpOnBroker)).toBe('transient');
    // MESSAGE_TOO_LARGE: retrying the same record cannot help.
    const tooLarge = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'The request included a message larger than the max message size the server will accept' } as unknown as Error);
    expect(errorKind(tooLarge)).toBe('defect');
  });
});
