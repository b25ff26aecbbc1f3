import { describe, expect, it } from 'vitest';
import { InvalidMessage } from './actor.ts';
import { boundedReason, deadLetter, deadLetterHeaders, MAX_REASON_CHARS } from './dead-letter.ts';
import { Defect, errorKind, Unavailable } from './errors.ts';
import { MAX_RECORD_BYTES, recordBytes } from './record-size.ts';

describe('error kinds', () => {
  it('calls unusable input invalid, otaflow faults defects, and an unreachable dependency transient', () => {
    expect(errorKind(new InvalidMessage('radio.rsrp NaN'))).toBe('invalid');
    expect(errorKind(new Defect('output to undeclared topic x'))).toBe('defect');
    expect(errorKind(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('defect');
    expect(errorKind(new Unavailable('database down'))).toBe('transient');
  });
});

describe('dead letters', () => {
  it('R-RES-4: keep the original key, value and headers, and cut a reason that quotes a huge input', () => {
    const key = Buffer.from('k'.repeat(450_000));
    const value = Buffer.from('v'.repeat(450_000));
    const reason = `device check-in: key "${key}" is not its deviceId "${'d'.repeat(450_000)}"`;
    const dead = deadLetter({ service: 'device', topic: 'device.checkins', partition: 3, offset: '17', key, value, headers: { trace: 'abc' } }, reason);
    expect(dead.key).toBe(key);
    expect(dead.value).toBe(value);
    expect(dead.headers!.trace).toBe('abc');
    expect(String(dead.headers![deadLetterHeaders.reason]).length).toBeLessThan(MAX_REASON_CHARS + 50);
    expect(String(dead.headers![deadLetterHeaders.reason])).toMatch(/^device check-in: key "kkk.*characters, cut\)$/);
    expect(dead.headers![deadLetterHeaders.kind]).toBe('invalid');
    expect(recordBytes(dead)).toBeLessThan(2 * MAX_RECORD_BYTES);
  });

  it('leaves a short reason as it is', () => {
    expect(boundedReason('radio.sinr is NaN')).toBe('radio.sinr is NaN');
  });

  it('counts key, value and header bytes of a record', () => {
    expect(recordBytes({ key: 'ab', value: Buffer.alloc(10), headers: { h: 'xyz', many: ['1', Buffer.from('22')] } })).toBe(2 + 10 + 1 + 3 + 4 + 1 + 2);
  });
});
