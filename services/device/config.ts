import { keySecretTexts, parseDownloadTokenKeys, type DownloadTokenKeys } from '../../contracts/download-token.ts';
import type { Env } from '../runtime/config.ts';
import { envSecret } from '../runtime/env-secret.ts';

/** The device service's own settings, beside the runtime's. */
export interface DeviceConfig {
  /**
   * R-SEC-1: the keys download tokens are signed with, from OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE (a
   * file) or OTAFLOW_DOWNLOAD_TOKEN_KEYS: `<keyId>:<base64 secret>` entries, the first signing.
   * Required: a delivery without a verifiable token is what R-SEC-1 forbids.
   */
  readonly tokenKeys: DownloadTokenKeys;
  /** The key texts, for the log redactor (R-SEC-3). */
  readonly secrets: readonly string[];
}

export const TOKEN_KEYS_VARIABLE = 'OTAFLOW_DOWNLOAD_TOKEN_KEYS';

export function parseDeviceConfig(env: Env): DeviceConfig {
  const keys = envSecret(env, TOKEN_KEYS_VARIABLE);
  if (!keys) throw new Error(`${TOKEN_KEYS_VARIABLE}_FILE or ${TOKEN_KEYS_VARIABLE} must hold the download token keys (R-SEC-1): <keyId>:<base64 secret of at least 32 bytes>, the first one signing`);
  return Object.freeze({ tokenKeys: parseDownloadTokenKeys(keys.value, keys.source), secrets: keySecretTexts(keys.value) });
}
