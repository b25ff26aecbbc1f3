/**
 * Masks secrets in text that leaves the process: log lines and error messages (R-SEC-3).
 * A URL keeps its scheme, user, host and path; only the password becomes `***`.
 */
export const MASK = '***';

// scheme://user:password@ — the password runs to the last "@" before the host, so one holding a
// raw "@" is masked whole; it never crosses a quote or a space, so a masked JSON line stays JSON.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"]*):[^\s/?#"]*@/gi;

/** Masks the password of every URL in a text: `postgres://user:***@host/db`. */
export function maskUrlCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_PASSWORD, `$1:${MASK}@`) : text;
}

/**
 * Masks the password of one value meant as a URL. A malformed one (a bad port, a stray character)
 * is masked from the first ":" after the scheme to its last "@": better too much than the password.
 */
export function maskUrlValue(value: string): string {
  if (value.includes('://') && URL.canParse(value)) {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = MASK;
    return url.toString();
  }
  const start = value.includes('://') ? value.indexOf('://') + 3 : 0;
  const colon = value.indexOf(':', start);
  const at = value.lastIndexOf('@');
  return colon >= 0 && colon < at ? `${value.slice(0, colon)}:${MASK}${value.slice(at)}` : value;
}

/** The passwords in these URLs, as written (percent-encoded) and decoded. */
export function urlPasswords(...urls: string[]): string[] {
  return urls.flatMap((url) => {
    let password: string;
    try {
      password = new URL(url).password;
    } catch {
      return [];
    }
    if (!password) return [];
    try {
      return [...new Set([password, decodeURIComponent(password)])];
    } catch {
      return [password];
    }
  });
}

// A shorter "secret" would mask ordinary words and JSON keys; it is still masked inside URLs.
const MIN_SECRET_LENGTH = 4;

/**
 * A function masking URL passwords and each known secret value in a text. A secret is also found
 * as JSON escapes it, so the masking can run on a serialized log line.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))]
    // the longest first, so a secret containing another is masked whole
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = maskUrlCredentials(text);
    for (const form of forms) if (masked.includes(form)) masked = masked.replaceAll(form, MASK);
    return masked;
  };
}
