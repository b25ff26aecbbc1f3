import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { isTransientHttp, retryTransient } from './retry.ts';

function capture(): { lines: { level: number; msg: string; attempt?: number; retryInMs?: number }[]; log: ReturnType<typeof createLogger> } {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, log: createLogger('test', 'info', { destination }) };
}

const refused = () => Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), { status: 400 });

describe('retrying transient failures', () => {
  it('waits out transient failures with a doubling, capped delay, one warn line per attempt, then an info line', async () => {
    const { lines, log } = capture();
    let calls = 0;
    const result = await retryTransient('the registry at http://r', async () => (++calls < 5 ? Promise.reject(refused()) : 'ok'), { log, isTransient: isTransientHttp, initialDelayMs: 4, maxDelayMs: 8 });
    expect(result).toBe('ok');
    const warns = lines.filter((l) => l.level === 40);
    expect(warns.map((w) => w.attempt)).toEqual([1, 2, 3, 4]);
    expect(warns[0]!.msg).toMatch(/^waiting for the registry at http:\/\/r \(attempt 1 failed: .*ECONNREFUSED/);
    // jitter takes up to half of each delay: 4, 8, 8, 8 ms at most
    expect(warns.map((w) => w.retryInMs! <= [4, 8, 8, 8][w.attempt! - 1]! && w.retryInMs! >= [2, 4, 4, 4][w.attempt! - 1]!)).toEqual([true, true, true, true]);
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'the registry at http://r answered after 5 attempts' });
  });

  it('throws a failure that is not transient at once, without logging', async () => {
    const { lines, log } = capture();
    const notFound = Object.assign(new Error('Schema 7 not found.'), { status: 404 });
    let calls = 0;
    await expect(retryTransient('x', () => (calls++, Promise.reject(notFound)), { log, isTransient: isTransientHttp })).rejects.toBe(notFound);
    expect(calls).toBe(1);
    expect(lines).toEqual([]);
  });
});

describe('which registry errors are transient', () => {
  it('an unreachable, timing out, overloaded or failing registry is transient', () => {
    for (const message of ['connect ECONNREFUSED 127.0.0.1:8081', 'socket hang up', 'getaddrinfo ENOTFOUND registry', 'Timeout (3000ms)', 'read ECONNRESET']) {
      expect(isTransientHttp(Object.assign(new Error(`Confluent_Schema_Registry - Error, status 400: ${message}`), { status: 400 }))).toBe(true);
    }
    for (const status of [500, 502, 503, 504, 408, 429]) expect(isTransientHttp(Object.assign(new Error('x'), { status }))).toBe(true);
    expect(isTransientHttp(Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }))).toBe(true);
  });

  it('an unknown subject, schema or id, and any other answer of the registry, is definite', () => {
    expect(isTransientHttp(Object.assign(new Error("Confluent_Schema_Registry - Subject 'a-value' not found."), { name: 'ConfluentSchemaRegistryError' }))).toBe(false);
    for (const status of [400, 401, 404, 409, 422]) expect(isTransientHttp(Object.assign(new Error('Confluent_Schema_Registry - Schema 7 not found.'), { status }))).toBe(false);
    expect(isTransientHttp(undefined)).toBe(false);
  });
});
