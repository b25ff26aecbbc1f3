import type { PackageRef } from '../../contracts/common.ts';
import { show } from '../../contracts/fields.ts';
import { CHECKSUM_HEX_DIGITS } from '../../contracts/input-limits.ts';

const CHECKSUM = /^([a-z0-9]+):([0-9a-fA-F]+)$/;
const checksumFormats = Object.entries(CHECKSUM_HEX_DIGITS).map(([algorithm, digits]) => `${algorithm}:<${digits} hex digits>`).join(' or ');

/**
 * R-REQ-1, R-REQ-5: what a device needs to fetch and verify a package; a problem fails the
 * request. The reason names the field within `package`.
 */
export function packageProblem(p: PackageRef): string | undefined {
  if (!isHttpUrl(p.url)) return `url ${show(p.url)} is not an http(s) URL`;
  if (!Number.isSafeInteger(p.sizeBytes) || p.sizeBytes <= 0) return `sizeBytes must be a whole number of bytes above 0, got ${p.sizeBytes}`;
  const m = CHECKSUM.exec(p.checksum);
  if (!m || !Object.hasOwn(CHECKSUM_HEX_DIGITS, m[1]!) || CHECKSUM_HEX_DIGITS[m[1]!] !== m[2]!.length) return `checksum ${show(p.checksum)} is not ${checksumFormats}`;
  return undefined;
}

function isHttpUrl(url: string): boolean {
  // URL() would quietly trim or escape whitespace, and takes "http:host" without slashes; an http(s) URL without a host does not parse.
  return !/\s/.test(url) && /^https?:\/\//i.test(url) && URL.canParse(url);
}
