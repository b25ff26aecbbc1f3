import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createRedactor, maskUrlCredentials, maskUrlValue, urlPasswords } from './redact.ts';

/** A logger as services make it, writing its lines into an array. */
function capture(secrets: readonly string[] = []): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', { secrets, destination }) };
}

describe('R-SEC-3: URL credentials are masked', () => {
  it('masks the password of a database or registry URL and keeps user, host and path', () => {
    expect(maskUrlCredentials('connect postgres://app:s3cret@db.internal:5432/otaflow?sslmode=require failed')).toBe(
      'connect postgres://app:***@db.internal:5432/otaflow?sslmode=require failed',
    );
    expect(maskUrlCredentials('http://svc:tok3n@registry:8081/apis/ccompat/v7')).toBe('http://svc:***@registry:8081/apis/ccompat/v7');
  });

  it('masks a password holding ":" or a raw "@" whole, and every URL of a text', () => {
    expect(maskUrlCredentials('postgres://u:a:b@c@h/db and https://x:y@z')).toBe('postgres://u:***@h/db and https://x:***@z');
  });

  it('leaves URLs without a password, and text without URLs, as they are', () => {
    for (const text of ['postgres://postgres@127.0.0.1:5432/otaflow', 'http://localhost:8081/apis/ccompat/v7', 'user:pw@host but no scheme', 'a@b:c']) {
      expect(maskUrlCredentials(text)).toBe(text);
    }
  });

  it('keeps a JSON line valid JSON: a mask never crosses a quote', () => {
    const line = JSON.stringify({ a: 'postgres://u:p@h:5432', b: 'x@y z', c: 'https://k:v@w/"q"@' });
    const masked = maskUrlCredentials(line);
    expect(JSON.parse(masked)).toEqual({ a: 'postgres://u:***@h:5432', b: 'x@y z', c: 'https://k:***@w/"q"@' });
    expect(maskUrlCredentials(masked)).toBe(masked);
  });

  it('masks the password of a malformed URL value (a space, a bad port), as config errors show it', () => {
    expect(maskUrlValue('postgres://postgres:pa ss@127.0.0.1:notaport/otaflow')).toBe('postgres://postgres:***@127.0.0.1:notaport/otaflow');
    expect(maskUrlValue('app:pw@db:5432/otaflow')).toBe('app:***@db:5432/otaflow');
    expect(maskUrlValue('http://localhost:8081/apis/ccompat/v7')).toBe('http://localhost:8081/apis/ccompat/v7');
  });

  it('names the passwords of URLs as written and decoded', () => {
    expect(urlPasswords('postgres://u:p%40ss@h/db', 'http://h:8081', 'not a url')).toEqual(['p%40ss', 'p@ss']);
  });
});

describe('R-SEC-3: known secret values are masked', () => {
  it('wherever they appear, also JSON-escaped, and ignores values too short to mask safely', () => {
    const redact = createRedactor(['hunter2!', 'q"uo\\te', 'ab']);
    expect(redact('password hunter2! rejected')).toBe('password *** rejected');
    expect(redact(JSON.stringify({ m: 'q"uo\\te' }))).toBe('{"m":"***"}');
    expect(redact('ab cab')).toBe('ab cab');
  });

  it('the runtime config knows the passwords of DATABASE_URL and OTAFLOW_REGISTRY_URL', () => {
    const c = parseRuntimeConfig({ DATABASE_URL: 'postgres://app:db-secret@h/otaflow', OTAFLOW_REGISTRY_URL: 'https://svc:reg-secret@r:8081' });
    // and the Basic credentials the registry client sends in their stead
    expect(c.secrets).toEqual(['db-secret', 'reg-secret', Buffer.from('svc:reg-secret').toString('base64')]);
  });
});

describe('R-SEC-3: no log line shows a secret', () => {
  it('masks URL passwords in messages, fields, bindings and error messages and stacks', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error('connect to postgres://app:pg-secret@db/otaflow refused'), { url: 'get http://svc:reg-secret@r:8081/schemas/ids/1' });
    logger.child({ db: 'postgres://app:pg-secret@db/otaflow' }).error({ err, target: 'http://svc:reg-secret@r:8081' }, 'failed at postgres://app:pg-secret@db/otaflow');
    const text = lines.join('');
    expect(text).not.toMatch(/pg-secret|reg-secret/);
    expect(JSON.parse(lines[0]!).msg).toBe('failed at postgres://app:***@db/otaflow');
    expect(JSON.parse(lines[0]!).err.url).toBe('get http://svc:***@r:8081/schemas/ids/1');
  });

  it('redacts secret fields, keeping a URL field with its password masked', () => {
    const { lines, logger } = capture();
    logger.info({ password: 'plain-secret', ssl: { key: 'KEY' }, pool: { connectionString: 'postgres://app:pg-secret@db/otaflow', password: 'x' }, headers: { authorization: 'Basic abc' } }, 'options');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ password: '***', ssl: { key: '***' }, pool: { connectionString: 'postgres://app:***@db/otaflow', password: '***' }, headers: { authorization: '***' } });
  });

  it('masks the known secret values of the config in any line', () => {
    const config = parseRuntimeConfig({ DATABASE_URL: 'postgres://app:p%23ss-word@db/otaflow' });
    const { lines, logger } = capture(config.secrets);
    logger.warn(`authentication with p#ss-word failed`);
    expect(JSON.parse(lines[0]!).msg).toBe('authentication with *** failed');
  });
});
