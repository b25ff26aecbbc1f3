import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTokenKeysText } from '../../test/support/token-keys.ts';
import { parseDeviceConfig } from './config.ts';

describe('device service configuration', () => {
  it('R-SEC-1, R-SEC-3: the download token keys come from a file or the environment, and their secrets are the ones logs mask', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'otaflow-keys-')), 'keys');
    writeFileSync(file, `${testTokenKeysText}\n`);
    const fromFile = parseDeviceConfig({ OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE: file });
    expect(fromFile.tokenKeys.signing.id).toBe('test-1');
    expect(fromFile.secrets).toEqual([testTokenKeysText.slice('test-1:'.length)]);
    expect(parseDeviceConfig({ OTAFLOW_DOWNLOAD_TOKEN_KEYS: testTokenKeysText }).tokenKeys.verifying.has('test-1')).toBe(true);
  });

  it('R-SEC-1: the device service refuses to start without keys, with both sources set, or with a file it cannot read, naming the variable', () => {
    expect(() => parseDeviceConfig({})).toThrow('OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE or OTAFLOW_DOWNLOAD_TOKEN_KEYS must hold the download token keys');
    expect(() => parseDeviceConfig({ OTAFLOW_DOWNLOAD_TOKEN_KEYS: testTokenKeysText, OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE: '/x' })).toThrow('set OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE or OTAFLOW_DOWNLOAD_TOKEN_KEYS, not both');
    expect(() => parseDeviceConfig({ OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE: '/nonexistent/keys' })).toThrow('OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE: cannot read "/nonexistent/keys": ENOENT');
    expect(() => parseDeviceConfig({ OTAFLOW_DOWNLOAD_TOKEN_KEYS: 'k1:short' })).toThrow('OTAFLOW_DOWNLOAD_TOKEN_KEYS: the secret of key "k1" must be base64 of at least 32 bytes');
  });
});
