import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import type { CellRequest } from '../cell/messages.ts';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { deviceActor, type DeviceState } from './device-actor.ts';
import { details } from './acceptance.ts';
import type { ControlAction, DeviceInput, StatusReport } from './messages.ts';
import { lwm2mResultCodes, resultDetails, stepTimeouts } from './task.ts';

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

const control = (action: ControlAction, campaignId = 'k1'): DeviceInput => ({ kind: 'control', control: { type: 'control', campaignId, deviceId: 'd1', action, at: 1 } });
const accepted: DeviceInput[] = [{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer }, control('start')];
const successDetail = resultDetails.success.V1;
const alreadyAtTargetDetail = resultDetails.alreadyAtTarget;
const decisionsOf = (outputs: readonly Output[]) => outputs.filter((o) => o.topic === 'campaign-device-decisions').map((o) => o.value as { campaignId: string; status: string; detail: string });

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

  it('R-LC-4, R-FLOW-4, R-FLOW-5: a silent LwM2M device is pushed, re-pushed at 04:00 UTC for three days, then fails once', () => {
    const t0 = Date.UTC(2026, 5, 10, 15, 30);
    let r = drive([{ kind: 'checkin', checkin: { ...profile, connected: false } }, { kind: 'offer', offer }, control('start')], t0);
    expect(r.commands).toEqual(['PUSH']);
    const pushes: number[] = [];
    for (let day = 11; day <= 13; day++) {
      const at = deviceActor.wakeAt(r.state)!;
      expect(new Date(at).toISOString()).toBe(`2026-06-${day}T04:00:00.000Z`);
      expect(drive([{ kind: 'wake', at }], at - 1, r.state).commands).toEqual([]);
      r = drive([{ kind: 'wake', at }], at, r.state);
      pushes.push(...r.commands.filter((c) => c === 'PUSH').map(() => at));
    }
    expect(pushes).toHaveLength(3);
    const timeout = deviceActor.wakeAt(r.state)!;
    expect(new Date(timeout).toISOString()).toBe('2026-06-14T04:00:00.000Z');
    const late = drive([{ kind: 'wake', at: timeout }, { kind: 'wake', at: timeout }], timeout, r.state);
    expect(late.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: 'Waiting for the device online timeout' })]);
    expect(deviceActor.wakeAt(late.state)).toBeUndefined();
  });

  it('R-FLOW-1: a pushed device that reports in goes on to the version query', () => {
    const pushed = drive([{ kind: 'checkin', checkin: { ...profile, connected: false } }, { kind: 'offer', offer }, control('start')]);
    const online = drive([{ kind: 'checkin', checkin: { ...profile, connected: true, at: 5 } }], 2000, pushed.state);
    expect(online.commands).toEqual(['QUERY_VERSION']);
  });

  it('R-FLOW-4: the download wait ends in its own cause and releases the held token', () => {
    const holding = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant], 0);
    const r = drive([{ kind: 'wake', at: 0 }], stepTimeouts.download!.ms, holding.state);
    expect(r.results).toEqual([expect.objectContaining({ detail: 'Waiting for device downloaded package timeout' })]);
    expect(r.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
  });

  it('R-DEV-3: a second campaign is rejected while the device has an unfinished task, with the v1 or v2 wording', () => {
    const r = drive([...accepted, { kind: 'offer', offer: { ...offer, campaignId: 'k2' } }, { kind: 'offer', offer: { ...offer, campaignId: 'k3', api: 'V2' } }]);
    expect(decisionsOf(r.outputs)).toEqual([
      expect.objectContaining({ campaignId: 'k1', status: 'Accepted', detail: details.V1.accepted }),
      expect.objectContaining({ campaignId: 'k2', status: 'DeviceRejected', detail: details.V1.taskConflict }),
      expect.objectContaining({ campaignId: 'k3', status: 'DeviceRejected', detail: details.V2.taskConflict }),
    ]);
  });

  it('R-REQ-4: a device named twice by one campaign gets one decision and a Duplicate notice', () => {
    const r = drive([{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer }, { kind: 'offer', offer }]);
    expect(decisionsOf(r.outputs).map((d) => d.status)).toEqual(['Accepted', 'Duplicate']);
  });

  it('R-LC-1: an accepted device does nothing until its campaign starts', () => {
    const r = drive([{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer }]);
    expect(r.commands).toEqual([]);
    expect(r.state.task?.step).toBe('scheduled');
    expect(deviceActor.wakeAt(r.state)).toBeUndefined();
    expect(drive([control('start')], 1000, r.state).commands).toEqual(['QUERY_VERSION']);
  });

  it('R-LC-2, R-RES-3: cancel, removal and abort end the device with CampaignCancelled or CampaignAborted and free its token', () => {
    const holding = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant]);
    const expectations: [ControlAction, string, string][] = [
      ['cancel', 'CampaignCancelled', resultDetails.cancelled],
      ['remove', 'CampaignCancelled', resultDetails.removed],
      ['abort', 'CampaignAborted', resultDetails.aborted],
      ['end', 'UpgradeFailed', stepTimeouts.download!.cause],
    ];
    for (const [action, status, detail] of expectations) {
      const r = drive([control(action)], 2000, holding.state);
      expect(r.results, action).toEqual([expect.objectContaining({ status, detail })]);
      expect(r.cell, action).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
    }
    expect(drive([control('cancel', 'other')], 2000, holding.state).results).toEqual([]);
  });

  it('R-CELL-3: a grant that nobody waits for any more goes straight back to the cell', () => {
    const r = drive([{ kind: 'checkin', checkin: profile }, grant]);
    expect(r.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1', deviceId: 'd1' })]);
  });

  it('R-LOG-1, R-DEV-3: verbose logging starts collecting at the next check-in, and a collecting device refuses campaigns', () => {
    const verbose = (on: boolean): DeviceInput => ({ kind: 'verbose', verbose: { type: 'verbose', deviceId: 'd1', on, at: 1 } });
    const asked = drive([{ kind: 'checkin', checkin: profile }, verbose(true)]);
    expect(asked.commands).toEqual([]);
    const collecting = drive([{ kind: 'checkin', checkin: { ...profile, at: 9 } }], 2000, asked.state);
    expect(collecting.commands).toEqual(['START_LOG_COLLECTION']);
    expect(collecting.outputs.filter((o) => o.topic === 'verbose-requests').map((o) => o.value)).toEqual([{ type: 'collecting', deviceId: 'd1', at: 2000 }]);
    const refused = drive([{ kind: 'offer', offer }], 2001, collecting.state);
    expect(decisionsOf(refused.outputs)).toEqual([expect.objectContaining({ status: 'DeviceRejected', detail: details.V1.taskConflict })]);
    const stopped = drive([verbose(false), { kind: 'offer', offer }], 2002, collecting.state);
    expect(stopped.commands).toEqual(['STOP_LOG_COLLECTION']);
    expect(decisionsOf(stopped.outputs).map((d) => d.status)).toEqual(['Accepted']);
  });

  it('R-REQ-2: a device starts only inside the update and download windows, and applies only inside the apply window', () => {
    // Tuesday 2026-06-09 15:30 UTC; windows in UTC on weekdays.
    const t0 = Date.UTC(2026, 5, 9, 15, 30);
    const windows = {
      update: { start: '08:00', end: '20:00', timeZone: 'UTC', weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
      download: { start: '18:00', end: '20:00', timeZone: 'UTC', weekdays: [] },
      apply: { start: '20:30', end: '21:00', timeZone: 'Europe/Berlin', weekdays: [] },
    };
    const windowed = { ...offer, windows };
    const waiting = drive([{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer: windowed }, control('start')], t0);
    expect(waiting.commands).toEqual([]);
    expect(deviceActor.wakeAt(waiting.state)).toBe(Date.UTC(2026, 5, 9, 18, 0));
    const started = drive([{ kind: 'wake', at: 0 }], Date.UTC(2026, 5, 9, 18, 0), waiting.state);
    expect(started.commands).toEqual(['QUERY_VERSION']);
    const downloaded = drive(
      [report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant, report('DOWNLOADED')],
      Date.UTC(2026, 5, 9, 18, 5),
      started.state,
    );
    expect(downloaded.commands).toEqual(['QUERY_RADIO', 'SUBSCRIBE', 'DELIVER_PACKAGE']);
    // Downloaded at 18:05 UTC; the apply window opens at 20:30 in Berlin, 18:30 UTC (CEST).
    expect(downloaded.state.task?.step).toBe('awaitApplyWindow');
    expect(deviceActor.wakeAt(downloaded.state)).toBe(Date.UTC(2026, 5, 9, 18, 30));
    expect(drive([{ kind: 'wake', at: 0 }], Date.UTC(2026, 5, 9, 18, 30), downloaded.state).commands).toEqual(['UPGRADE']);
  });

  it('R-REQ-4, R-DEV-3: every offer gets exactly one decision and one campaign at most holds the device (property)', () => {
    const input = fc.oneof(
      fc.record({ kind: fc.constant('offer' as const), campaign: fc.constantFrom('k1', 'k2', 'k3') }),
      fc.record({ kind: fc.constant('control' as const), campaign: fc.constantFrom('k1', 'k2', 'k3'), action: fc.constantFrom<ControlAction>('start', 'cancel', 'abort', 'end', 'remove') }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 30 }), (steps) => {
        let state = drive([{ kind: 'checkin', checkin: profile }]).state;
        for (const step of steps) {
          const i: DeviceInput = step.kind === 'offer' ? { kind: 'offer', offer: { ...offer, campaignId: step.campaign } } : control(step.action, step.campaign);
          const before = state.task?.campaignId;
          const d = deviceActor.decide(state, i, 1);
          const decisions = decisionsOf(d.outputs);
          if (step.kind === 'offer') {
            expect(decisions).toHaveLength(1);
            if (decisions[0]!.status === 'Accepted') expect(before).toBeUndefined();
          } else expect(decisions).toEqual([]);
          state = d.state!;
          if (before !== undefined && state.task) expect(state.task.campaignId).toBe(before);
        }
      }),
    );
  });
});
