import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { errorKind } from '../errors.ts';

describe('error kinds of @platformatic/kafka errors', () => {
  it('calls an unreachable or silent broker transient, also once the client gave up retrying it', () => {
    expect(errorKind(new NetworkError('Connection to localhost:9092 failed.'))).toBe('transient');
    expect(errorKind(new TimeoutError('Request timed out.'))).toBe('transient');
    expect(errorKind(new MultipleErrors('metadata failed 4 times.', [new NetworkError('a'), new TimeoutError('b')]))).toBe('transient');
  });

  it('follows the broker on what a retry may fix, and calls the rest a defect', () => {
    expect(errorKind(new ResponseError(1, 5, { '/': [51, null] }, {}))).toBe('transient');
    // MESSAGE_TOO_LARGE: retrying the same record cannot help.
    expect(errorKind(new ResponseError(0, 11, { '/': [10, null] }, {}))).toBe('defect');
    expect(errorKind(new ProtocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe('defect');
    expect(errorKind(new UserError('Cannot produce to an already completed transaction.'))).toBe('defect');
  });
});
