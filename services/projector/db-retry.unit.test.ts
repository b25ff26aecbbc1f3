import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DatabaseRetry } from './db-retry.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const missingTable = () => Object.assign(new Error('relation "campaigns" does not exist'), { code: '42P01' });

/** A retry with millisecond waits, and the log lines it wrote. */
function retry() {
  const lines: { level: number; msg: string; kind?: string; what?: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const atLevel = (level: 'info' | 'warn' | 'error') => lines.filter((l) => l.level === pino.levels.values[level]);
  return { retry: new DatabaseRetry(log, { minDelayMs: 1, maxDelayMs: 4, maxFailureDelayMs: 4 }), atLevel };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
};

/** Work that fails with each of `errors` in turn, then returns `result`; counts its calls. */
function failing<T>(errors: readonly (() => Error)[], result: T) {
  const work = { calls: 0, op: async () => (work.calls++ < errors.length ? Promise.reject(errors[work.calls - 1]!()) : result) };
  return work;
}

describe('database retry', () => {
  it('waits out an unavailable database: warns once with the error kind when the outage begins, and says when it is back', async () => {
    const r = retry();
    const work = failing([refused, refused, refused, refused], 'written');
    expect(await r.retry.run('projection campaigns', work.op, { failures: 'retry' })).toBe('written');
    expect(work.calls).toBe(5);
    expect(r.atLevel('warn')).toMatchObject([{ msg: 'database unavailable, retrying', kind: 'ECONNREFUSED', what: 'projection campaigns' }]);
    expect(r.atLevel('info')).toMatchObject([{ msg: 'database available again', kind: 'ECONNREFUSED' }]);
    expect(r.atLevel('error')).toEqual([]);
  });

  it('one outage is logged once however many callers wait for it, and an attempt under way when it ended starts no new one', async () => {
    const r = retry();
    // Each attempt waits until the test answers it: ok or refused.
    const attempts: { caller: number; answer(ok: boolean): void }[] = [];
    const op = (caller: number) => () => new Promise<number>((resolve, reject) => attempts.push({ caller, answer: (ok) => (ok ? resolve(caller) : reject(refused())) }));
    const next = async () => {
      await until(() => attempts.length > 0);
      return attempts.shift()!;
    };
    const runs = Promise.all([1, 2, 3].map((n) => r.retry.run(`projection ${n}`, op(n), { failures: 'retry' })));
    for (let i = 0; i < 9; i++) (await next()).answer(false);
    await until(() => attempts.length === 3);
    const [a, b, late] = attempts.splice(0);
    a!.answer(true);
    b!.answer(true);
    await until(() => r.atLevel('info').length === 1);
    late!.answer(false);
    (await next()).answer(true);
    expect(await runs).toEqual([1, 2, 3]);
    expect(r.atLevel('warn')).toHaveLength(1);
    expect(r.atLevel('info')).toHaveLength(1);
  });

  it('any other failure is retried too and logged at error each time, unless the caller lets it through (a broken migration stops the start)', async () => {
    const r = retry();
    const work = failing([missingTable, missingTable], 'written');
    expect(await r.retry.run('projection campaigns', work.op, { failures: 'retry' })).toBe('written');
    expect(r.atLevel('error').map((l) => l.msg)).toEqual(['database work failed, retrying', 'database work failed, retrying']);
    expect(r.atLevel('warn')).toEqual([]);

    const migration = failing([refused, missingTable], 'migrated');
    await expect(r.retry.run('migrations', migration.op, { failures: 'throw' })).rejects.toThrow('relation "campaigns" does not exist');
    expect(migration.calls).toBe(2);
  });

  it('a stop ends the waiting: the run rejects with the abort reason and the work is not tried again', async () => {
    const r = retry();
    const stopping = new AbortController();
    const work = { calls: 0, op: async () => (++work.calls === 3 && stopping.abort(new Error('stopping')), Promise.reject(refused())) };
    await expect(r.retry.run('projection campaigns', work.op, { signal: stopping.signal, failures: 'retry' })).rejects.toThrow('stopping');
    expect(work.calls).toBe(3);
  });
});
