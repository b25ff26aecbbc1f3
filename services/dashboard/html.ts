/** Markup that is already safe: what `html` builds, never text from a row or a URL. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => entities[c]!);

/**
 * A template tag that escapes every interpolated value (ids, makes, causes come from devices
 * and operators) except Html; arrays are joined, null and undefined are left out.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (v: unknown): string => {
    if (v instanceof Html) return v.text;
    if (Array.isArray(v)) return v.map(part).join('');
    if (v === null || v === undefined || v === false) return '';
    return escapeHtml(v instanceof Date ? v.toISOString() : String(v));
  };
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}
