import { describe, expect, it } from 'vitest';
import { signDownloadToken } from '../../contracts/download-token.ts';
import { testTokenKeys, testTokenKeysText } from '../../test/support/token-keys.ts';
import { TOKEN_EXIT, verifyVerdict } from './token.ts';

describe('otaflow token verify', () => {
  const env = { OTAFLOW_DOWNLOAD_TOKEN_KEYS: testTokenKeysText };
  const options = { device: 'dev-000042', campaign: 'fw-2026-01-acme', attempt: 1, checksum: `sha256:${'9f'.repeat(32)}` };
  const expiresAt = Date.UTC(2026, 0, 2);
  const token = signDownloadToken(testTokenKeys, { deviceId: options.device, campaignId: options.campaign, attempt: options.attempt, checksum: options.checksum, expiresAt });

  it('R-SEC-1: exits 0 for a valid token, naming its key and expiry', () => {
    expect(verifyVerdict(env, token, options, expiresAt - 1)).toEqual({ code: TOKEN_EXIT.valid, line: 'valid: key test-1, expires 2026-01-02T00:00:00.000Z' });
  });

  it("R-SEC-1: exits 2 with the reason for an expired token, another device's, and another package's", () => {
    expect(verifyVerdict(env, token, options, expiresAt)).toEqual({ code: TOKEN_EXIT.refused, line: 'REFUSED: expired at 2026-01-02T00:00:00.000Z' });
    for (const other of [{ device: 'dev-000043' }, { checksum: `sha256:${'00'.repeat(32)}` }]) {
      const verdict = verifyVerdict(env, token, { ...options, ...other }, expiresAt - 1);
      expect(verdict.code).toBe(TOKEN_EXIT.refused);
      expect(verdict.line).toContain('REFUSED: signature does not match');
    }
  });

  it('R-SEC-1, R-SEC-3: exits 1 without keys, naming the variables, and never prints a key or the token', () => {
    const verdict = verifyVerdict({}, token, options, 0);
    expect(verdict.code).toBe(TOKEN_EXIT.unusable);
    expect(verdict.line).toContain('OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE or OTAFLOW_DOWNLOAD_TOKEN_KEYS');
    for (const v of [verdict, verifyVerdict(env, token, options, 0), verifyVerdict(env, `${token}x`, options, 0)]) {
      expect(v.line).not.toContain(testTokenKeysText.split(':')[1]);
      expect(v.line).not.toContain(token.split('.')[3]);
    }
  });
});
