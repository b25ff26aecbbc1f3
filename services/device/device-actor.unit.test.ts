import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import type { CellRequest } from '../cell/messages.ts';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { alreadyAtTargetDetail, deviceActor, lwm2mResultCodes, stepTimeouts, successDetail, type DeviceState } from './device-actor.ts';
import type { DeviceInput, StatusReport } from './messages.ts';

const report = (kind: StatusReport['kind'], extra: Partial<StatusReport> = {}): DeviceInput => ({
  kind: 'status',
  report: { deviceId: 'd1', campaignId: 'k1', kind, firmwareVersion: null, softwareVersion: null, radio: null, bytesDownloaded: null, resultCode: null, clientStatus: null, at: 1, ...extra },
});
const grant: DeviceInput = { kind: 'grant', grant: { type: 'grant', cellId: 'c1', deviceId: 'd1', campaignId: 'k1', attempt: 1, limit: 50, at: 1 } };

function drive(inputs: (DeviceInput | { kind: 'wake'; at: number })[], now = 1000, start?: DeviceState) {
  let state = start ?? deviceActor.initial('d1');
  const outputs: Output[] = [];
  for (const input of inputs) {
    const d = deviceActor.decide(state, input, now);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  const commands = outputs.filter((o) => o.topic === 'device-commands').map((o) => (o.value as { kind: string }).kind);
  const results = outputs.filter((o) => o.topic === 'campaign-device-results').map((o) => o.value as { status: string; detail: string });
  const cell = outputs.filter((o) => o.topic === 'cell-requests').map((o) => o.value as CellRequest);
  return { state, outputs, commands, results, cell };
}

const accepted: DeviceInput[] = [{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer }];

describe('device actor, LwM2M flow', () => {
  it('R-FLOW-1: walks version query, radio query, cell token, package, upgrade and publishes success', () => {
    const r = drive([
      ...accepted,
      report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }),
      report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }),
      grant,
      report('DOWNLOADED'),
      report('UPDATE_RESULT', { resultCode: 1 }),
    ]);
    expect(r.commands).toEqual(['QUERY_VERSION', 'QUERY_RADIO', 'SUBSCRIBE', 'DELIVER_PACKAGE', 'UPGRADE', 'QUERY_RESULT', 'UNSUBSCRIBE']);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: successDetail })]);
    expect(r.cell.map((c) => c.type)).toEqual(['acquire', 'release']);
    expect(r.state.task).toBeNull();
  });

  it('R-FLOW-1: a device already at the target version ends without an upgrade', () => {
    const r = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '2.0' })]);
    expect(r.commands).toEqual(['QUERY_VERSION']);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: alreadyAtTargetDetail })]);
    expect(r.cell).toEqual([]);
  });

  it('R-RES-2: a reported result code fails the device with its message and gives the token back', () => {
    const r = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: null, sinr: null } }), grant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 2 })]);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: lwm2mResultCodes[2] })]);
    expect(r.cell.at(-1)?.type).toBe('release');
  });

  it('R-FLOW-4, R-FLOW-5: a missed deadline fails the device with its cause, once', () => {
    const started = drive([{ kind: 'checkin', checkin: { ...profile, connected: false } }, { kind: 'offer', offer }], 1000);
    expect(deviceActor.wakeAt(started.state)).toBe(1000 + stepTimeouts.awaitOnline!.ms);
    const early = drive([{ kind: 'wake', at: 0 }], 2000, started.state);
    expect(early.results).toEqual([]);
    const late = drive([{ kind: 'wake', at: 0 }, { kind: 'wake', at: 0 }], 1000 + stepTimeouts.awaitOnline!.ms, started.state);
    expect(late.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: 'Waiting for the device online timeout' })]);
    expect(deviceActor.wakeAt(late.state)).toBeUndefined();
  });

  it('R-FLOW-4: the download wait ends in its own cause and releases the held token', () => {
    const holding = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant], 0);
    const r = drive([{ kind: 'wake', at: 0 }], stepTimeouts.download!.ms, holding.state);
    expect(r.results).toEqual([expect.objectContaining({ detail: 'Waiting for device downloaded package timeout' })]);
    expect(r.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
  });

  it('R-DEV-3: a second campaign is rejected while the device has an unfinished task', () => {
    const r = drive([...accepted, { kind: 'offer', offer: { ...offer, campaignId: 'k2' } }]);
    const decisions = r.outputs.filter((o) => o.topic === 'campaign-device-decisions').map((o) => o.value as { campaignId: string; status: string });
    expect(decisions).toEqual([expect.objectContaining({ campaignId: 'k1', status: 'Accepted' }), expect.objectContaining({ campaignId: 'k2', status: 'DeviceRejected' })]);
  });

  it('R-CELL-3: a grant that nobody waits for any more goes straight back to the cell', () => {
    const r = drive([{ kind: 'checkin', checkin: profile }, grant]);
    expect(r.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1', deviceId: 'd1' })]);
  });
});
