import { randomBytes } from 'node:crypto';
import { TOKEN_KEYS_VARIABLE } from '../../services/device/config.ts';
import type { Env } from '../../services/runtime/config.ts';

/**
 * For scripts that run every service locally (demo, bench) and nothing downloads: a download
 * token key made for this run when none is configured (R-SEC-1), so they need no setup. Services
 * started any other way refuse to start without one.
 */
export function withLocalTokenKeys(env: Env): Env {
  if (env[TOKEN_KEYS_VARIABLE] !== undefined || env[`${TOKEN_KEYS_VARIABLE}_FILE`] !== undefined) return env;
  return { ...env, [TOKEN_KEYS_VARIABLE]: `local-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}` };
}
