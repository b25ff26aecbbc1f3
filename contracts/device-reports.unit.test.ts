import { describe, expect, it } from 'vitest';
import { profile } from '../test/support/device-fixtures.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../services/runtime/actor.ts';
import { parseCheckin, type Checkin } from './device-checkins.ts';
import { parseStatusReport, type StatusReport } from './device-status-reports.ts';

const NOW = Date.UTC(2026, 5, 10, 12);
const YEAR = 365 * 86_400_000;
const context = { now: NOW, maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS };
const checkin = (extra: Partial<Checkin> = {}): Checkin => ({ ...profile, at: NOW - 1000, ...extra });
const report = (extra: Partial<StatusReport> = {}): StatusReport => ({
  deviceId: 'd1',
  campaignId: 'k1',
  kind: 'DOWNLOAD_PROGRESS',
  firmwareVersion: null,
  softwareVersion: null,
  radio: null,
  bytesDownloaded: 4096,
  resultCode: null,
  clientStatus: null,
  at: NOW - 1000,
  ...extra,
});
const parseC = (c: Checkin) => () => parseCheckin(c, c.deviceId, context);
const parseR = (r: StatusReport) => () => parseStatusReport(r, r.deviceId, context);

describe('device check-ins from outside', () => {
  it('R-DEV-1: takes a check-in whose fields are all within their limits', () => {
    expect(parseC(checkin())()).toEqual(checkin());
    expect(parseC(checkin({ at: NOW + DEFAULT_MAX_CLOCK_SKEW_MS, radio: null }))()).toMatchObject({ radio: null });
  });

  it('R-DEV-2: refuses a check-in dated ten years ahead, or at 9e15 ms, which would make every later genuine check-in look older', () => {
    expect(parseC(checkin({ at: NOW + 10 * YEAR }))).toThrow(/^device check-in: at 2036-.* ms ahead of the clock .*; at most 300000 ms allowed$/);
    expect(parseC(checkin({ at: 9e15 }))).toThrow(/^device check-in: at 9000000000000000 is \d+ ms ahead of the clock/);
  });

  it('R-DEV-2: refuses a check-in dated before 2000 (a clock never set, seconds for milliseconds)', () => {
    expect(parseC(checkin({ at: 0 }))).toThrow('device check-in: at 1970-01-01T00:00:00.000Z (0) is before 2000-01-01T00:00:00.000Z');
    expect(parseC(checkin({ at: Math.floor(NOW / 1000) }))).toThrow(/^device check-in: at 1970-.* is before 2000/);
  });

  it('R-DEV-1: refuses NaN and ±Infinity RSRP or SINR, which passed the range checks', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(parseC(checkin({ radio: { cellId: 'c1', rsrp: v, sinr: 3 } }))).toThrow(`device check-in: radio.rsrp must be a finite number, got ${v}`);
      expect(parseC(checkin({ radio: { cellId: 'c1', rsrp: -90, sinr: v } }))).toThrow(`device check-in: radio.sinr must be a finite number, got ${v}`);
    }
    expect(parseC(checkin({ radio: { cellId: 'c1', rsrp: -157, sinr: 3 } }))).toThrow('device check-in: radio.rsrp -157 dBm is outside -156..-31');
  });

  it('R-DEV-1: refuses a NUL or another control character in the id, make, model, versions, IMEI, client type or cell, naming the field', () => {
    const fields = ['deviceId', 'make', 'model', 'firmwareVersion', 'softwareVersion', 'imei', 'clientType'] as const;
    for (const field of fields) {
      const c = checkin({ [field]: 'x\u0000y' });
      expect(() => parseCheckin(c, c.deviceId, context)).toThrow(`device check-in: ${field} contains the control character U+0000 at 1: "x\\u0000y"`);
    }
    expect(parseC(checkin({ radio: { cellId: 'c\u001b1', rsrp: -90, sinr: 3 } }))).toThrow(/radio\.cellId contains the control character U\+001B/);
  });

  it('R-DEV-1: refuses a make of 200,000 control characters by its length, and quotes only its start', () => {
    const make = '\u0001'.repeat(200_000);
    let reason = '';
    try {
      parseC(checkin({ make }))();
    } catch (e) {
      reason = (e as Error).message;
    }
    expect(reason).toMatch(/^device check-in: make is 200000 characters, at most 128 allowed: ".*"… \(200000 characters\)$/);
    expect(reason.length).toBeLessThan(500);
    expect(parseC(checkin({ deviceId: 'd'.repeat(129) }))).toThrow(/deviceId is 129 characters, at most 128 allowed/);
  });

  it('R-DEV-1: refuses an empty or blank make, model or version; an empty IMEI or client type is left to the offer (R-REQ-4)', () => {
    for (const field of ['make', 'model', 'firmwareVersion', 'softwareVersion'] as const) {
      expect(parseC(checkin({ [field]: '' }))).toThrow(`device check-in: ${field} is empty`);
      expect(parseC(checkin({ [field]: ' ' }))).toThrow(`device check-in: ${field} is blank: " "`);
    }
    expect(parseC(checkin({ imei: '', clientType: '' }))()).toMatchObject({ imei: '', clientType: '' });
  });
});

describe('device status reports from outside', () => {
  it('R-RES-2: takes a report whose fields are all within their limits', () => {
    expect(parseR(report())()).toEqual(report());
    expect(parseR(report({ campaignId: null, bytesDownloaded: null, kind: 'UPDATE_RESULT', resultCode: 8, firmwareVersion: '2.0', softwareVersion: '2.0' }))()).toMatchObject({ kind: 'UPDATE_RESULT', resultCode: 8 });
  });

  it('refuses NaN, ±Infinity, negative or fractional bytesDownloaded and a non-finite resultCode', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parseR(report({ bytesDownloaded: v }))).toThrow(`device status report: bytesDownloaded must be a finite number, got ${v}`);
      expect(parseR(report({ resultCode: v }))).toThrow(`device status report: resultCode must be a finite number, got ${v}`);
    }
    expect(parseR(report({ bytesDownloaded: -4096 }))).toThrow('device status report: bytesDownloaded -4096 is outside 0..9007199254740991');
    expect(parseR(report({ bytesDownloaded: 0.5 }))).toThrow('device status report: bytesDownloaded must be a whole number, got 0.5');
    expect(parseR(report({ radio: { cellId: 'c1', rsrp: Number.NaN, sinr: null } }))).toThrow('device status report: radio.rsrp must be a finite number, got NaN');
  });

  it('refuses a report dated far ahead or before 2000', () => {
    expect(parseR(report({ at: NOW + 10 * YEAR }))).toThrow(/^device status report: at 2036-.* ahead of the clock/);
    expect(parseR(report({ at: 1 }))).toThrow(/^device status report: at 1970-.* is before 2000/);
  });

  it('refuses control characters and over-long strings in campaignId, versions and clientStatus; an empty reported version', () => {
    expect(parseR(report({ campaignId: 'k\u00001' }))).toThrow(/campaignId contains the control character U\+0000/);
    expect(parseR(report({ campaignId: 'k'.repeat(129) }))).toThrow(/campaignId is 129 characters, at most 128 allowed/);
    expect(parseR(report({ clientStatus: 'DOWNLOADED\n' }))).toThrow(/clientStatus contains the control character U\+000A/);
    expect(parseR(report({ clientStatus: 's'.repeat(200_000) }))).toThrow(/clientStatus is 200000 characters/);
    expect(parseR(report({ firmwareVersion: '' }))).toThrow('device status report: firmwareVersion is empty');
    expect(parseR(report({ softwareVersion: '2.0\u0000' }))).toThrow(/softwareVersion contains the control character U\+0000/);
  });
});
