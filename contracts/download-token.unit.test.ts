import { describe, expect, it } from 'vitest';
import { parseDownloadTokenKeys, signDownloadToken, verifyDownloadToken } from './download-token.ts';

const secret = (fill: string) => Buffer.alloc(32, fill).toString('base64');
const oldKey = `k-2025:${secret('old')}`;
const newKey = `k-2026:${secret('new')}`;
const claims = { deviceId: 'dev-1', campaignId: 'fw-1', attempt: 2, checksum: `sha256:${'ab'.repeat(32)}` };
const expiresAt = Date.UTC(2026, 0, 2);
const now = Date.UTC(2026, 0, 1);

describe('download tokens (R-SEC-1)', () => {
  const keys = parseDownloadTokenKeys(`${newKey}\n${oldKey}`, 'keys');
  const token = signDownloadToken(keys, { ...claims, expiresAt });

  it('R-SEC-1: a token verifies for its device, campaign, attempt and package until it expires, naming the key that signed it', () => {
    expect(token).toMatch(/^v1\.k-2026\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyDownloadToken(keys, token, claims, now)).toEqual({ valid: true, keyId: 'k-2026', expiresAt });
    expect(verifyDownloadToken(keys, token, { ...claims, checksum: claims.checksum.toUpperCase().replace('SHA256', 'sha256') }, now).valid).toBe(true);
  });

  it('R-SEC-1: an expired token is refused, from the instant of its expiry on', () => {
    expect(verifyDownloadToken(keys, token, claims, expiresAt - 1).valid).toBe(true);
    expect(verifyDownloadToken(keys, token, claims, expiresAt)).toEqual({ valid: false, reason: 'expired at 2026-01-02T00:00:00.000Z' });
  });

  it('R-SEC-1: a tampered token is refused: a later expiry, another key id, a changed signature, another format', () => {
    const [v, kid, , mac] = token.split('.') as [string, string, string, string];
    const refused = (t: string) => verifyDownloadToken(keys, t, claims, now);
    expect(refused(`${v}.${kid}.${expiresAt + 86_400_000}.${mac}`).valid).toBe(false);
    expect(refused(`${v}.k-2025.${expiresAt}.${mac}`).valid).toBe(false);
    expect(refused(`${v}.${kid}.${expiresAt}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`)).toMatchObject({ valid: false, reason: expect.stringContaining('signature does not match') });
    for (const broken of ['', 'dev-1/fw-1/2', `v2.${kid}.${expiresAt}.${mac}`, `${v}.${kid}.soon.${mac}`, `${token}.x`]) expect(refused(broken)).toEqual({ valid: false, reason: 'not an otaflow download token' });
  });

  it("R-SEC-1: another device's, another campaign's or attempt's, and another package's token is refused", () => {
    for (const other of [{ deviceId: 'dev-2' }, { campaignId: 'fw-2' }, { attempt: 3 }, { checksum: `sha256:${'cd'.repeat(32)}` }]) {
      expect(verifyDownloadToken(keys, token, { ...claims, ...other }, now)).toMatchObject({ valid: false, reason: expect.stringContaining('signature does not match') });
    }
  });

  it('R-SEC-1: keys rotate: a token of the previous key verifies while that key is in the set, and is refused once it is retired', () => {
    const before = parseDownloadTokenKeys(oldKey, 'keys');
    const issuedBefore = signDownloadToken(before, { ...claims, expiresAt });
    expect(verifyDownloadToken(keys, issuedBefore, claims, now)).toEqual({ valid: true, keyId: 'k-2025', expiresAt });
    const retired = parseDownloadTokenKeys(newKey, 'keys');
    expect(verifyDownloadToken(retired, issuedBefore, claims, now)).toEqual({ valid: false, reason: 'unknown or retired key "k-2025"' });
    expect(verifyDownloadToken(retired, token, claims, now).valid).toBe(true);
  });

  it('R-SEC-1: a key set signs with its first key, and refuses short, malformed or doubled keys without quoting a secret', () => {
    expect(parseDownloadTokenKeys(`# rotated 2026-01\n${newKey}, ${oldKey}\n`, 'keys').signing.id).toBe('k-2026');
    const short = Buffer.alloc(16, 'x').toString('base64');
    expect(() => parseDownloadTokenKeys(`k1:${short}`, 'FILE')).toThrow('FILE: the secret of key "k1" must be base64 of at least 32 bytes');
    expect(() => parseDownloadTokenKeys('', 'FILE')).toThrow('FILE holds no download token key');
    expect(() => parseDownloadTokenKeys(secret('x'), 'FILE')).toThrow('FILE: key 1 must be <keyId>:<base64 secret>');
    expect(() => parseDownloadTokenKeys(`${newKey}\n${newKey}`, 'FILE')).toThrow('key "k-2026" is named twice');
    try {
      parseDownloadTokenKeys(`bad id:${secret('s')}`, 'FILE');
    } catch (e) {
      expect((e as Error).message).not.toContain(secret('s'));
    }
  });
});
