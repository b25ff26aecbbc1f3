import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DEVICE_IDS } from '../../../contracts/input-limits.ts';
import { campaignFileOf, checkCommands, commandOf, LocalRefusal, readDeviceList, readDocument, scheduleCommandsOf } from './request-file.ts';

const NOW = Date.UTC(2026, 5, 10, 12);
const dir = mkdtempSync(join(tmpdir(), 'otaflow-request-file-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const example = (protocol: string) => campaignFileOf(readDocument(`examples/${protocol}-campaign.json`), protocol);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `dev-${i}`);

describe('campaign request files', () => {
  it('R-REQ-1: every example request (LWM2M, OMA_DM, HTTP, MQTT) passes the services\' own validators', () => {
    for (const protocol of ['lwm2m', 'oma-dm', 'http', 'mqtt']) {
      const commands = scheduleCommandsOf(example(protocol), NOW, 'alice');
      expect(commands).toHaveLength(1);
      expect(commands[0]).toMatchObject({ type: 'SCHEDULE', part: 0, parts: 1, deviceCount: null, principal: 'alice', request: { protocol: protocol.toUpperCase().replace('-', '_') } });
    }
  });

  it('reads YAML with ISO-8601 instants and fills what an operator may leave out', () => {
    const path = file('future.yaml', `campaignId: y1
request:
  api: V2
  protocol: MQTT
  make: Acme
  model: M1
  fromVersions: ["1.0"]
  targetVersion: "2.0"
  packageKind: SOFTWARE
  package: { url: "https://x.example/p.bin", sizeBytes: 10, checksum: "sha256:${'a'.repeat(64)}" }
  schedule: { kind: FUTURE, startAt: "2026-06-11T00:00:00Z", endAt: "2026-06-12T00:00:00Z" }
deviceIds: [d1, d2]
`);
    const f = campaignFileOf(readDocument(path), path);
    expect(f.request.schedule).toEqual({ kind: 'FUTURE', startAt: Date.UTC(2026, 5, 11), endAt: Date.UTC(2026, 5, 12), window: null, downloadWindow: null, applyWindow: null });
    expect(f.request).toMatchObject({ retry: null, pilot: false });
    expect(scheduleCommandsOf(f, NOW, 'alice')).toHaveLength(1);
  });

  it(`R-REQ-1, R-SEC-2: splits the device list into parts of at most ${MAX_DEVICE_IDS} ids; part 0 alone carries the request, with the total count`, () => {
    const commands = scheduleCommandsOf({ ...example('lwm2m'), deviceIds: ids(2 * MAX_DEVICE_IDS + 1) }, NOW, 'alice');
    expect(commands.map((c) => [c.part, c.parts, c.deviceIds.length, c.deviceCount, c.request !== null])).toEqual([
      [0, 3, MAX_DEVICE_IDS, 2 * MAX_DEVICE_IDS + 1, true],
      [1, 3, MAX_DEVICE_IDS, 2 * MAX_DEVICE_IDS + 1, false],
      [2, 3, 1, 2 * MAX_DEVICE_IDS + 1, false],
    ]);
    expect(new Set(commands.map((c) => c.commandId)).size).toBe(3);
    // R-SEC-2: every part names the principal, as the campaign service requires.
    expect(commands.map((c) => c.principal)).toEqual(['alice', 'alice', 'alice']);
  });

  it('R-REQ-3, R-REQ-5: refuses before sending what the campaign service would fail, in its words', () => {
    const base = example('lwm2m');
    const refusal = (f: typeof base) => () => scheduleCommandsOf(f, NOW, 'alice');
    expect(refusal({ ...base, request: { ...base.request, retry: { attempts: 9, intervalMinutes: 5 } } })).toThrow('RequestFailed): retry.attempts must be 0–5, got 9');
    expect(refusal({ ...base, request: { ...base.request, protocol: 'HTTP' } })).toThrow('api V1 does not drive HTTP devices');
    expect(refusal({ ...base, deviceIds: ['a', 'a'] })).toThrow('the request names a device twice');
    expect(refusal({ ...base, request: { ...base.request, schedule: { ...base.request.schedule, kind: 'FUTURE' } } })).toThrow('schedule.startAt is required');
  });

  it('refuses what the schema or the parser would make a dead letter, naming the fields', () => {
    const path = file('bad.json', JSON.stringify({ campaignId: 'c1', request: { api: 'V1', protocol: 'LWM2M', make: 'Acme' }, deviceIds: ['d1'] }));
    expect(() => scheduleCommandsOf(campaignFileOf(readDocument(path), path), NOW, 'alice')).toThrow(/request\.model \(missing\).*request\.package \(missing\)/);
    expect(() => checkCommands([commandOf('CANCEL', 'c\u0000', [], NOW, 'alice')], NOW)).toThrow(LocalRefusal);
    expect(() => campaignFileOf({ campaignId: 'c1', request: {}, deviceIds: 'd1' }, 'x.json')).toThrow('x.json: "deviceIds" must be a list of device ids');
    expect(() => readDocument(file('broken.yaml', 'a: [1'))).toThrow(LocalRefusal);
  });

  it('reads device lists as JSON or YAML lists, an object with deviceIds, or one id per line', () => {
    expect(readDeviceList(file('l.json', '["a","b"]'))).toEqual(['a', 'b']);
    expect(readDeviceList(file('l.yaml', 'deviceIds:\n  - a\n  - b\n'))).toEqual(['a', 'b']);
    expect(readDeviceList(file('l.txt', '# removed after the audit\na\n\n b \n'))).toEqual(['a', 'b']);
  });
});
