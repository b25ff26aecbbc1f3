import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * R-SEC-1: the download token of a package delivery (device.commands, `package.token`), and how a
 * download server checks it with nothing but the key set: `v1.<keyId>.<expiresAt>.<mac>`, where
 * `mac` is HMAC-SHA256 (base64url) over the key id, device, campaign, attempt, package checksum and
 * expiry. The token names its key, so keys rotate: a new key signs while the old ones still verify
 * the tokens already handed out, until they are retired (removed from the set).
 */
export interface DownloadClaims {
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  /** `sha256:<hex>`; hex compared in either case, as the request validation accepts it. */
  readonly checksum: string;
  /** Epoch ms from which the token no longer verifies. */
  readonly expiresAt: number;
}

export interface DownloadTokenKeys {
  /** The key new tokens are signed with: the first of the set. */
  readonly signing: { readonly id: string; readonly secret: Buffer };
  /** Every key a token may name, the signing one included. */
  readonly verifying: ReadonlyMap<string, Buffer>;
}

export type Verification = { readonly valid: true; readonly keyId: string; readonly expiresAt: number } | { readonly valid: false; readonly reason: string };

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
// HMAC-SHA256 keys shorter than its output weaken it: 32 bytes, as RFC 2104 recommends.
const MIN_SECRET_BYTES = 32;

export function signDownloadToken(keys: DownloadTokenKeys, claims: DownloadClaims): string {
  const { id, secret } = keys.signing;
  return `${VERSION}.${id}.${claims.expiresAt}.${mac(secret, id, claims)}`;
}

/**
 * Whether `token` was signed by a key of the set for exactly these claims and has not expired at
 * `now`. The signature is checked before the expiry, so an expired token is reported as expired
 * only when it is genuine.
 */
export function verifyDownloadToken(keys: DownloadTokenKeys, token: string, claims: Omit<DownloadClaims, 'expiresAt'>, now: number): Verification {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !/^(0|[1-9][0-9]{0,15})$/.test(parts[2]!)) return { valid: false, reason: 'not an otaflow download token' };
  const [, keyId, expiry, given] = parts as [string, string, string, string];
  const secret = keys.verifying.get(keyId);
  if (!secret) return { valid: false, reason: `unknown or retired key "${keyId.slice(0, 32)}"` };
  const expiresAt = Number(expiry);
  const expected = Buffer.from(mac(secret, keyId, { ...claims, expiresAt }));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { valid: false, reason: 'signature does not match: tampered, or issued for another device, campaign, attempt or package' };
  }
  if (now >= expiresAt) return { valid: false, reason: `expired at ${new Date(expiresAt).toISOString()}` };
  return { valid: true, keyId, expiresAt };
}

function mac(secret: Buffer, keyId: string, c: DownloadClaims): string {
  // A JSON array keeps the fields apart: no device id can borrow characters of the campaign id.
  const signed = JSON.stringify([VERSION, keyId, c.deviceId, c.campaignId, c.attempt, c.checksum.toLowerCase(), c.expiresAt]);
  return createHmac('sha256', secret).update(signed).digest('base64url');
}

/**
 * A key set from its text: entries `<keyId>:<base64 secret>`, separated by commas or new lines
 * (`#` starts a comment line). The first entry signs; the others only verify. `source` names where
 * the text came from in an error, which never quotes a secret.
 */
export function parseDownloadTokenKeys(text: string, source: string): DownloadTokenKeys {
  const entries = text.split(/[\n,]/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (entries.length === 0) throw new Error(`${source} holds no download token key: expected <keyId>:<base64 secret of at least ${MIN_SECRET_BYTES} bytes>`);
  const verifying = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new Error(`${source}: key ${i + 1} must be <keyId>:<base64 secret>, its id 1-32 letters, digits, "_" or "-"`);
    const encoded = entry.slice(colon + 1);
    const secret = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || secret.length < MIN_SECRET_BYTES) throw new Error(`${source}: the secret of key "${id}" must be base64 of at least ${MIN_SECRET_BYTES} bytes`);
    if (verifying.has(id)) throw new Error(`${source}: key "${id}" is named twice`);
    verifying.set(id, secret);
  });
  const [id, secret] = verifying.entries().next().value!;
  return { signing: { id, secret }, verifying };
}

/** The secret texts of a key set's source, for the log redactor (R-SEC-3). */
export function keySecretTexts(text: string): string[] {
  return text.split(/[\n,]/).map((l) => l.trim()).filter((l) => l.includes(':') && !l.startsWith('#')).map((l) => l.slice(l.indexOf(':') + 1));
}
