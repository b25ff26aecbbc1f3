// Only Kafka shows this: dead-letter topics with their headers, registry schema ids, and partitions that keep moving past a bad record.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignEvent } from '../contracts/campaign-events.ts';
import { OPEN_POLICY } from '../services/campaign/command-policy.ts';
import { campaignService } from '../services/campaign/service.ts';
import type { CellGrant } from '../contracts/cell-grants.ts';
import type { CellRequest } from '../contracts/cell-requests.ts';
import { cellService } from '../services/cell/service.ts';
import { testTokenKeys } from './support/token-keys.ts';
import { packedDeviceStates } from '../services/device/packed-state.ts';
import { deviceService } from '../services/device/service.ts';
import type { Checkin } from '../contracts/device-checkins.ts';
import type { StatusReport } from '../contracts/device-status-reports.ts';
import { deadLetterHeaders } from '../services/runtime/dead-letter.ts';
import { MAX_RECORD_BYTES } from '../services/runtime/record-size.ts';
import type { RunningService } from '../services/runtime/service.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { produce } from '../scripts/lib/kafka.ts';
import { partitionOf } from '../services/runtime/kafka/client.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { profile } from './support/device-fixtures.ts';
import { startInProcess } from './support/in-process.ts';

const run = promisify(execFile);

/**
 * Issue 9: whatever arrives on an input, the partition keeps moving. Each case sends bad records
 * and then a valid one to the same partition: the bad ones are dead letters with their reasons,
 * the valid one is processed, and no service stopped making progress.
 */
describe('no record stops a partition', () => {
  let t: Topology;
  let services: RunningService[] = [];
  const recorders: TopicRecorder<unknown>[] = [];
  const record = async <T,>(topicId: string) => {
    const r = await TopicRecorder.start<T>(t, topicId);
    recorders.push(r as TopicRecorder<unknown>);
    return r;
  };
  const reasons = (r: TopicRecorder<unknown>) => r.records.map((m) => String(m.headers[deadLetterHeaders.reason]));
  /** A key of `prefix` that the default partitioner puts on `partition` of the topic. */
  const keyOn = (topicId: string, partition: number, prefix: string) => {
    for (let i = 0; ; i++) if (partitionOf(`${prefix}-${i}`, t.partitions) === partition) return `${prefix}-${i}`;
  };

  beforeAll(async () => {
    t = await createTopology('poison');
    services = await Promise.all([startInProcess(deviceService(testTokenKeys), t), startInProcess(campaignService(OPEN_POLICY), t), startInProcess(cellService(), t)]);
  });
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    await Promise.all(services.map((s) => s.stop()));
    await t?.dispose();
  });

  const expectAllMakingProgress = async () => {
    for (const s of services) expect(await Promise.race([s.failed.then(() => `${s.groupId} failed`), Promise.resolve('running')])).toBe('running');
    expect(services.map((s) => s.rejected.defect)).toEqual([0, 0, 0]);
  };

  it('device check-ins: an oversized dead letter, unknown and foreign schema ids, a far-future and a NaN value, a NUL — dead letters; the valid check-in after them is applied', async () => {
    const checkins = t.codecs.get('device-checkins')!;
    const now = Date.now();
    const good: Checkin = { ...profile, deviceId: 'poison-good', at: now };
    const p = partitionOf(good.deviceId, t.partitions);
    const report: StatusReport = { deviceId: good.deviceId, campaignId: null, kind: 'FIRMWARE_VERSION', firmwareVersion: '1.0', softwareVersion: null, radio: null, bytesDownloaded: null, resultCode: null, clientStatus: null, at: now };
    const body = checkins.encode(good).subarray(5);
    const huge = 'k'.repeat(450_000);
    const dead = await record<Buffer>('device-checkins.dlq');
    const states = await TopicRecorder.start<unknown>(t, 'device-changelog', { keep: (r) => r.key === good.deviceId });
    recorders.push(states);

    await produce(t, 'device-checkins', [
      // A key and a deviceId of 450 KB each that differ: the reason quoting both must not make the dead letter too large.
      { key: huge, value: checkins.encode({ ...good, deviceId: 'd'.repeat(450_000) }), partition: p },
      { key: good.deviceId, value: Buffer.concat([Buffer.from([0, 0x00, 0x0f, 0x42, 0x3f]), body]), partition: p },
      { key: good.deviceId, value: t.codecs.get('device-status-reports')!.encode(report), partition: p },
      { key: good.deviceId, value: checkins.encode({ ...good, at: now + 10 * 365 * 86_400_000 }), partition: p },
      { key: good.deviceId, value: checkins.encode({ ...good, radio: { cellId: 'c1', rsrp: Number.NaN, sinr: 3 } }), partition: p },
      { key: good.deviceId, value: checkins.encode({ ...good, make: 'Ac\u0000me' }), partition: p },
      { key: good.deviceId, value: checkins.encode(good), partition: p },
    ]);

    await waitFor('the valid check-in to be applied', () => states.records.length > 0, 60_000);
    await waitFor('six dead letters', () => dead.records.length >= 6, 30_000);
    expect(reasons(dead)).toEqual([
      expect.stringMatching(/deviceId.*450000 characters/),
      expect.stringMatching(/schema id 999999 is not known to the registry/),
      expect.stringMatching(/schema id \d+ is registered under .*device\.status-reports-value.*, not under .*device\.checkins-value/),
      expect.stringMatching(/at .* ms ahead of the clock/),
      expect.stringMatching(/radio\.rsrp must be a finite number, got NaN/),
      expect.stringMatching(/make contains the control character U\+0000/),
    ]);
    expect(dead.records.map((r) => r.partition)).toEqual(Array(6).fill(p));
    // The original key and value as received, however large.
    expect(dead.records[0]!.key).toBe(huge);
    expect(dead.records[0]!.raw!.length).toBeGreaterThan(450_000);
    expect(reasons(dead)[0]!.length).toBeLessThan(1_100);
    // The device changelog holds packed states (issue 11); one with a profile and no task refers to no shared value.
    const applied = packedDeviceStates().unpack(good.deviceId, String(states.records.at(-1)!.raw), () => undefined);
    expect(applied).toMatchObject({ profile: { deviceId: good.deviceId, at: now } });
    await expectAllMakingProgress();
  });

  it('cell requests: 5,500 devices waiting in one cell need no dead letter; an acquire whose device id is over its limit is one; the cell and another cell of the partition keep granting (R-CELL-3)', async () => {
    const dense = 'poison-dense-cell';
    const p = partitionOf(dense, t.partitions);
    const calm = keyOn('cell-requests', p, 'poison-calm-cell');
    const grants = await record<CellGrant>('cell-grants');
    const dead = await record<Buffer>('cell-requests.dlq');
    // RSRP range 1 and SINR range 2: one device at a time (R-CELL-1), so every other acquire waits in the cell.
    const acquire = (cellId: string, deviceId: string): CellRequest => ({ type: 'acquire', cellId, deviceId, campaignId: 'poison', attempt: 1, radio: { rsrp: -110, sinr: -5 }, at: Date.now() });
    // Device ids of 120 characters: as one record, some 5,300 waiting devices filled it.
    const deviceId = (i: number) => `dense-device-${String(i).padStart(6, '0')}`.padEnd(120, '-');
    const acquires = Array.from({ length: 5_500 }, (_, i) => ({ key: dense, value: JSON.stringify(acquire(dense, deviceId(i))) }));
    await produce(t, 'cell-requests', [
      ...acquires.slice(0, 2_750),
      { key: dense, value: JSON.stringify(acquire(dense, 'd'.repeat(200_000))) },
      ...acquires.slice(2_750),
      { key: calm, value: JSON.stringify(acquire(calm, 'calm-device')), partition: p },
    ]);

    await waitFor('the calm cell to grant its token', () => grants.values().some((g) => g.deviceId === 'calm-device'), 120_000, 200);
    await waitFor('the bad acquire to be a dead letter', () => dead.records.length > 0, 60_000, 100);
    expect(reasons(dead)).toEqual([expect.stringMatching(/^cell could not handle the message: cell request: deviceId is 200000 characters, at most 128 allowed: "d{64}"… \(200000 characters\)$/)]);
    // The device service hands back a token of a task it does not know, so the queue moves on, in arrival order.
    const granted = grants.values().filter((g) => g.cellId === dense).map((g) => g.deviceId);
    expect(granted.length).toBeGreaterThan(0);
    expect(granted).toEqual(granted.map((_, i) => deviceId(i)));
    await expectAllMakingProgress();
  });

  it('campaign commands: an output over the record limit and a device list over the bound are dead letters, an invalid package fails its request (R-REQ-5); the valid SCHEDULE after them is accepted', async () => {
    const valid = 'poison-valid-campaign';
    const p = partitionOf(valid, t.partitions);
    const [bigParts, badPackage, removal] = ['poison-big', 'poison-package', 'poison-removal'].map((prefix) => keyOn('campaign-commands', p, prefix));
    const fleet = [{ deviceId: 'poison-device', protocol: 'LWM2M' as const, make: 'Acme', model: 'S1', firmwareVersion: '1.0' }];
    const commands = t.codecs.get('campaign-commands')!;
    const events = await record<CampaignEvent & { reason: string | null }>('campaign-events');
    const dead = await record<Buffer>('campaign-commands.dlq');
    const withPackage = scheduleCommand(badPackage!, fleet);
    await produce(t, 'campaign-commands', [
      // 10,000 ids of 98 characters: the command fits a record, the part it hands on (as JSON) does not.
      { key: bigParts!, value: commands.encode({ ...scheduleCommand(bigParts!, fleet), deviceIds: Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(6, '0')}${'x'.repeat(92)}`) }) },
      { key: badPackage!, value: commands.encode({ ...withPackage, request: { ...withPackage.request, package: { ...withPackage.request.package, sizeBytes: -4096 } } }) },
      { key: removal!, value: commands.encode({ ...scheduleCommand(removal!, fleet), type: 'REMOVE_DEVICES', request: null, deviceIds: Array.from({ length: 100_000 }, (_, i) => `r${i}`) }) },
      { key: valid, value: commands.encode(scheduleCommand(valid, fleet)) },
    ]);

    await waitFor('the valid SCHEDULE to be accepted', () => events.values().some((e) => e.campaignId === valid && e.type === 'COMMAND_ACCEPTED'), 60_000);
    await waitFor('two dead letters', () => dead.records.length >= 2, 30_000);
    expect(reasons(dead)).toEqual([
      expect.stringMatching(new RegExp(`its output to .*campaign\\.parts would be \\d+ bytes, over the ${MAX_RECORD_BYTES}-byte record limit`)),
      expect.stringMatching(/deviceIds names 100000 entries, at most 10000 allowed/),
    ]);
    const failed = await waitFor('the invalid package to fail its request', () => events.values().find((e) => e.campaignId === badPackage && e.to === 'RequestFailed'), 30_000);
    expect(failed.reason).toMatch(/package\.sizeBytes must be a whole number of bytes above 0, got -4096/);
    await expectAllMakingProgress();
  });

  it('npm run dead-letters lists every dead letter with its source, service, kind and reason', async () => {
    const { stdout } = await run(process.execPath, ['scripts/dead-letters.ts', 'campaign-commands'], { cwd: projectRoot, env: { ...t.env, OTAFLOW_LOG_LEVEL: 'error' } });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(new RegExp(`^\\S+Z ${t.prefix.replaceAll('.', '\\.')}campaign\\.commands\\[\\d\\]@\\d+ campaign invalid key="poison-big-\\d+" campaign could not handle the message: its output to`)),
      expect.stringMatching(/ campaign invalid key="poison-removal-\d+" .*deviceIds names 100000 entries/),
    ]);
    expect(lines.at(-1)).toBe(`dead-letters: 2 in 1 topics: ${t.prefix}campaign.commands invalid 2`);
  });
});
