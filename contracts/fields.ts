import { InvalidMessage, type ParseContext } from '../services/runtime/actor.ts';
import { EARLIEST_TIMESTAMP, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS, SHOWN_CHARS } from './input-limits.ts';

/**
 * Checks of the fields of a record from outside otaflow. Each throws InvalidMessage naming
 * the record, the field and what is wrong, quoting at most SHOWN_CHARS of the value. The Avro
 * reader schema already guarantees types and enum symbols; these say what a schema cannot.
 */
export interface StringRule {
  readonly max: number;
  /** An empty or blank value is refused. */
  readonly required?: boolean;
  readonly nullable?: boolean;
}

export interface NumberRule {
  readonly integer?: boolean;
  readonly range?: readonly [number, number];
  /** Shown after the value in the reason ("dBm"). */
  readonly unit?: string;
  readonly nullable?: boolean;
}

export const stringRules = {
  id: { max: MAX_ID_CHARS, required: true },
  name: { max: MAX_NAME_CHARS },
  requiredName: { max: MAX_NAME_CHARS, required: true },
  text: { max: MAX_TEXT_CHARS },
} as const satisfies Record<string, StringRule>;

export interface FieldChecks {
  readonly string: (field: string, value: unknown, rule: StringRule) => void;
  readonly id: (field: string, value: unknown) => void;
  /** The record's own id, which must also be its message key. */
  readonly key: (field: string, value: unknown, key: string) => void;
  /** Finite: NaN and ±Infinity pass every comparison, so they are refused before any range. */
  readonly number: (field: string, value: unknown, rule?: NumberRule) => void;
  /** An epoch-millis instant, not before EARLIEST_TIMESTAMP. */
  readonly instant: (field: string, value: unknown) => void;
  /** An instant the record says it was made at: also not more than the allowed skew ahead of the clock. */
  readonly timestamp: (field: string, value: unknown, context: ParseContext) => void;
  /** At most `max` entries, each checked by `each` under `field[i]`. */
  readonly list: (field: string, value: unknown, max: number, each: (field: string, item: unknown) => void) => void;
}

// C0, DEL and C1 controls, the Unicode line separators and the bidirectional overrides: each can
// rewrite a log line or a terminal, and PostgreSQL refuses NUL in text.
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** A value as a reason quotes it: strings JSON-escaped and cut to SHOWN_CHARS, with their length. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= SHOWN_CHARS ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, SHOWN_CHARS))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}

/** An epoch-millis instant as a reason quotes it; Date covers ±8.64e15 ms and toISOString throws past it. */
export const showInstant = (ms: number) => (Math.abs(ms) <= 8.64e15 ? `${new Date(ms).toISOString()} (${ms})` : String(ms));

export function fieldsOf(record: string): FieldChecks {
  const fail = (problem: string): never => {
    throw new InvalidMessage(`${record}: ${problem}`);
  };
  const string = (field: string, value: unknown, rule: StringRule): void => {
    if (value === null && rule.nullable) return;
    if ((value === undefined || value === null || value === '') && rule.required) fail(`${field} is empty`);
    if (typeof value !== 'string') return fail(`${field} must be a string, got ${show(value)}`);
    if (value.length > rule.max) fail(`${field} is ${value.length} characters, at most ${rule.max} allowed: ${show(value)}`);
    const control = CONTROL.exec(value);
    if (control) fail(`${field} contains the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${control.index}: ${show(value)}`);
    if (rule.required && value.trim() === '') fail(`${field} is blank: ${show(value)}`);
  };
  const id = (field: string, value: unknown) => string(field, value, stringRules.id);
  const instant = (field: string, value: unknown): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(`${field} must be an epoch-millis timestamp, got ${show(value)}`);
    if (value < EARLIEST_TIMESTAMP) fail(`${field} ${showInstant(value)} is before ${new Date(EARLIEST_TIMESTAMP).toISOString()}`);
    return value;
  };
  return {
    string,
    id,
    key(field, value, key) {
      id(field, value);
      if (value !== key) fail(`key ${show(key)} is not its ${field} ${show(value)}`);
    },
    number(field, value, rule = {}) {
      if (value === null && rule.nullable) return;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${field} must be a finite number, got ${show(value)}`);
      if (rule.integer && !Number.isSafeInteger(value)) fail(`${field} must be a whole number, got ${value}`);
      if (rule.range && (value < rule.range[0] || value > rule.range[1])) {
        fail(`${field} ${value}${rule.unit ? ` ${rule.unit}` : ''} is outside ${rule.range[0]}..${rule.range[1]}`);
      }
    },
    instant,
    timestamp(field, value, context) {
      const at = instant(field, value);
      const ahead = at - context.now;
      if (ahead > context.maxSkewMs) {
        fail(`${field} ${showInstant(at)} is ${ahead} ms ahead of the clock (${showInstant(context.now)}); at most ${context.maxSkewMs} ms allowed`);
      }
    },
    list(field, value, max, each) {
      if (!Array.isArray(value)) return fail(`${field} must be a list, got ${show(value)}`);
      if (value.length > max) fail(`${field} names ${value.length} entries, at most ${max} allowed`);
      value.forEach((item, i) => each(`${field}[${i}]`, item));
    },
  };
}
