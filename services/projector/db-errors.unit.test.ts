import { describe, expect, it } from 'vitest';
import { isRefusal, unavailability } from './db-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('database error kinds', () => {
  it('a lost connection, a refused or reset one, a server shutting down or full of connections are unavailability, named by their code', () => {
    expect(unavailability(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(unavailability(withCode('read ECONNRESET', 'ECONNRESET'))).toBe('ECONNRESET');
    expect(unavailability(new Error('Connection terminated unexpectedly'))).toBe('Connection terminated unexpectedly');
    expect(unavailability(new Error('Client has encountered a connection error and is not queryable'))).toBe('Client has encountered a connection error and is not queryable');
    expect(unavailability(new Error('timeout exceeded when trying to connect'))).toBe('timeout exceeded when trying to connect');
    for (const code of ['08006', '08001', '57P01', '57P02', '57P03', '53300', '40001', '40P01', '57014']) {
      expect(unavailability(withCode('server says no', code)), code).toBe(`SQLSTATE ${code}`);
    }
  });

  it('looks through the cause (a failed migration) and the errors of an AggregateError (a host with several addresses)', () => {
    expect(unavailability(new Error('migration  failed: connect ECONNREFUSED', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe('ECONNREFUSED');
    expect(unavailability(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed'))).toBe('ECONNREFUSED');
  });

  it('data and constraint errors are refusals of the records, not unavailability; a missing table or a bug is neither', () => {
    for (const code of ['22P02', '22008', '23505', '23502']) {
      expect(isRefusal(withCode('invalid input', code)), code).toBe(true);
      expect(unavailability(withCode('invalid input', code)), code).toBeUndefined();
    }
    for (const e of [withCode('relation "campaigns" does not exist', '42P01'), withCode('permission denied', '42501'), new TypeError('x is undefined'), 'a string', undefined]) {
      expect(isRefusal(e ?? {})).toBe(false);
      expect(unavailability(e)).toBeUndefined();
    }
  });
});
