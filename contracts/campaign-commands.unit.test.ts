import { describe, expect, it } from 'vitest';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../services/runtime/actor.ts';
import { MAX_DEVICE_IDS } from './input-limits.ts';
import { parseCampaignCommand, type CampaignCommand, type CampaignRequest, type CommandType } from './campaign-commands.ts';

const NOW = Date.UTC(2026, 5, 10, 12);
const context = { now: NOW, maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS };
const fleet = [{ deviceId: 'd1', protocol: 'LWM2M' as const, make: 'Acme', model: 'S1', firmwareVersion: '1.0' }];
const scheduled = { ...scheduleCommand('k1', fleet), at: NOW - 1000 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `dev-${i}`);
const command = (type: CommandType, extra: Partial<CampaignCommand> = {}): CampaignCommand => ({ ...scheduled, type, request: null, ...extra });
const withRequest = (extra: Partial<CampaignRequest>): CampaignCommand => ({ ...scheduled, request: { ...scheduled.request, ...extra } });
const parse = (c: CampaignCommand) => () => parseCampaignCommand(c, c.campaignId, context);

describe('campaign commands from outside', () => {
  it('R-REQ-1: takes the SCHEDULE the campaign-run helper produces (a sha256 checksum), and plain commands', () => {
    expect(parse(scheduled)()).toEqual(scheduled);
    expect(parse(command('CANCEL', { deviceIds: [] }))()).toMatchObject({ type: 'CANCEL' });
  });

  it('bounds the device list of every command at MAX_DEVICE_IDS: SCHEDULE parts, REMOVE_DEVICES and the verbose-logging commands', () => {
    const types: CommandType[] = ['REMOVE_DEVICES', 'ENABLE_VERBOSE_LOGGING', 'DISABLE_VERBOSE_LOGGING', 'FETCH_VERBOSE_LOGS'];
    for (const type of types) {
      expect(parse(command(type, { deviceIds: ids(MAX_DEVICE_IDS) }))()).toMatchObject({ type });
      expect(parse(command(type, { deviceIds: ids(100_000) }))).toThrow(`campaign command: deviceIds names 100000 entries, at most ${MAX_DEVICE_IDS} allowed`);
    }
    expect(parse({ ...scheduled, deviceIds: ids(MAX_DEVICE_IDS + 1) })).toThrow(`campaign command: deviceIds names ${MAX_DEVICE_IDS + 1} entries`);
    expect(parse(command('SCHEDULE', { part: 1, parts: 2, deviceIds: ids(MAX_DEVICE_IDS + 1) }))).toThrow(/deviceIds names 10001 entries/);
  });

  it('refuses an empty, over-long or control-laden device id in a list, naming its index', () => {
    expect(parse(command('REMOVE_DEVICES', { deviceIds: ['a', ''] }))).toThrow('campaign command: deviceIds[1] is empty');
    expect(parse(command('REMOVE_DEVICES', { deviceIds: ['a\u0000'] }))).toThrow(/deviceIds\[0\] contains the control character U\+0000/);
    expect(parse(command('ENABLE_VERBOSE_LOGGING', { deviceIds: ['x'.repeat(450_000)] }))).toThrow(/deviceIds\[0\] is 450000 characters, at most 128 allowed/);
  });

  it('refuses a command id or campaign id that is empty, over-long or carries control characters', () => {
    expect(parse(command('CANCEL', { commandId: '' }))).toThrow('campaign command: commandId is empty');
    expect(parse(command('CANCEL', { commandId: 'c'.repeat(129) }))).toThrow(/commandId is 129 characters/);
    expect(parse(command('CANCEL', { campaignId: 'k\u202e1' }))).toThrow(/campaignId contains the control character U\+202E/);
  });

  it('refuses a command dated more than the allowed skew ahead of the clock or before 2000', () => {
    expect(parse(command('CANCEL', { at: NOW + 10 * 365 * 86_400_000 }))).toThrow(/^campaign command: at 2036-.* ahead of the clock/);
    expect(parse(command('CANCEL', { at: 9e15 }))).toThrow(/^campaign command: at 9000000000000000 is/);
    expect(parse(command('CANCEL', { at: 0 }))).toThrow(/^campaign command: at 1970-.* is before 2000/);
  });

  it('refuses a request whose strings are over-long or carry control characters (a dead letter, not a RequestFailed)', () => {
    expect(parse(withRequest({ make: 'Ac\u0000me' }))).toThrow('campaign command: request.make contains the control character U+0000 at 2: "Ac\\u0000me"');
    expect(parse(withRequest({ model: '\u0001'.repeat(200_000) }))).toThrow(/request\.model is 200000 characters, at most 128 allowed/);
    expect(parse(withRequest({ targetVersion: '2.0\n' }))).toThrow(/request\.targetVersion contains the control character U\+000A/);
    expect(parse(withRequest({ fromVersions: ['1.0', '1.1\u0000'] }))).toThrow(/request\.fromVersions\[1\] contains the control character/);
    expect(parse(withRequest({ fromVersions: ids(101) }))).toThrow('campaign command: request.fromVersions names 101 entries, at most 100 allowed');
    const pkg = scheduled.request.package;
    expect(parse(withRequest({ package: { ...pkg, url: `https://fw.example/${'a'.repeat(2048)}` } }))).toThrow(/request\.package\.url is 2067 characters, at most 2048 allowed/);
    expect(parse(withRequest({ package: { ...pkg, checksum: `sha256:\u0000` } }))).toThrow(/request\.package\.checksum contains the control character/);
  });

  it('refuses NaN and ±Infinity in a request, and schedule dates before 2000', () => {
    const pkg = scheduled.request.package;
    expect(parse(withRequest({ package: { ...pkg, sizeBytes: Number.NaN } }))).toThrow('campaign command: request.package.sizeBytes must be a finite number, got NaN');
    expect(parse(withRequest({ retry: { attempts: Number.POSITIVE_INFINITY, intervalMinutes: 5 } }))).toThrow(/request\.retry\.attempts must be a finite number, got Infinity/);
    expect(parse(command('SCHEDULE', { part: 1, deviceCount: Number.NaN }))).toThrow('campaign command: deviceCount must be a finite number, got NaN');
    const schedule = scheduled.request.schedule;
    expect(parse(withRequest({ schedule: { ...schedule, kind: 'FUTURE', startAt: -9e15 } }))).toThrow('campaign command: request.schedule.startAt -9000000000000000 is before 2000-01-01T00:00:00.000Z');
    expect(parse(withRequest({ schedule: { ...schedule, endAt: 1.5 } }))).toThrow(/request\.schedule\.endAt must be an epoch-millis timestamp/);
  });

  it('refuses a window whose fields are over-long or carry control characters', () => {
    const window = { start: '09:00', end: '11:30', timeZone: 'Europe/Berlin', weekdays: ['MON'] };
    const schedule = scheduled.request.schedule;
    expect(parse(withRequest({ schedule: { ...schedule, window } }))()).toMatchObject({ type: 'SCHEDULE' });
    expect(parse(withRequest({ schedule: { ...schedule, downloadWindow: { ...window, timeZone: 'Z'.repeat(129) } } }))).toThrow(/request\.schedule\.downloadWindow\.timeZone is 129 characters/);
    expect(parse(withRequest({ schedule: { ...schedule, applyWindow: { ...window, weekdays: ['MON\u0000'] } } }))).toThrow(/request\.schedule\.applyWindow\.weekdays\[0\] contains the control character/);
  });

  it('R-REQ-5: takes a request whose parameters are wrong but harmless, so the campaign answers RequestFailed naming the field', () => {
    const pkg = scheduled.request.package;
    const wrong: Partial<CampaignRequest>[] = [{ make: '' }, { model: '' }, { targetVersion: '' }, { fromVersions: [''] }, { package: { url: '', sizeBytes: -4096, checksum: '' } }, { package: { ...pkg, url: 'ftp://fw.example/x.bin' } }];
    for (const extra of wrong) expect(parse(withRequest(extra))()).toMatchObject({ type: 'SCHEDULE' });
  });
});
