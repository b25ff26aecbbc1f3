import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import type { CellRequest } from '../../contracts/cell-requests.ts';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { commandKinds, control, grant, report } from '../../test/support/device-inputs.ts';
import { deviceActor, type DeviceInput, type DeviceState } from './device-actor.ts';
import { details } from './acceptance.ts';
import type { ControlAction } from '../../contracts/common.ts';
import { httpClientCodes, httpProgress, lwm2mResultCodes, resultDetails, stepTimeouts, v1FailureDetails } from './task.ts';
import { cellLimit } from '../cell/cell-limit.ts';

function drive(inputs: (DeviceInput | { kind: 'wake'; at: number })[], now = 1000, start?: DeviceState) {
  let state = start ?? deviceActor.initial('d1');
  const outputs: Output[] = [];
  for (const input of inputs) {
    const d = deviceActor.decide(state, input, now);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  const commands = commandKinds(outputs);
  const results = outputs.filter((o) => o.topic === 'campaign-device-results').map((o) => o.value as { status: string; detail: string; cause: string | null; attempt: number });
  const cell = outputs.filter((o) => o.topic === 'cell-requests').map((o) => o.value as CellRequest);
  return { state, outputs, commands, results, cell };
}

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
    const r = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 2 })]);
    // R-RES-1: a v1 result says the update failed; the device's own reason is its cause. Storage is final (R-REQ-3).
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: v1FailureDetails.updateFailed, cause: lwm2mResultCodes[2] })]);
    expect(r.cell.at(-1)?.type).toBe('release');
  });

  it('R-LC-4, R-FLOW-4, R-FLOW-5: a silent LwM2M device is pushed, re-pushed at 04:00 UTC for three days, then fails once', () => {
    const t0 = Date.UTC(2026, 5, 10, 15, 30);
    let r = drive([{ kind: 'checkin', checkin: { ...profile, connected: false } }, { kind: 'offer', offer: { ...offer, retry: null } }, control('start')], t0);
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
    expect(late.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: v1FailureDetails.notConnected, cause: 'Waiting for the device online timeout' })]);
    expect(deviceActor.wakeAt(late.state)).toBeUndefined();
  });

  it('R-FLOW-1: a pushed device that reports in goes on to the version query', () => {
    const pushed = drive([{ kind: 'checkin', checkin: { ...profile, connected: false } }, { kind: 'offer', offer }, control('start')]);
    const online = drive([{ kind: 'checkin', checkin: { ...profile, connected: true, at: 5 } }], 2000, pushed.state);
    expect(online.commands).toEqual(['QUERY_VERSION']);
  });

  it('R-FLOW-4: the download wait ends in its own cause and releases the held token', () => {
    const noRetry: DeviceInput[] = [{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer: { ...offer, retry: null } }, control('start')];
    const holding = drive([...noRetry, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant], 0);
    const r = drive([{ kind: 'wake', at: 0 }], stepTimeouts.download!.ms, holding.state);
    expect(r.results).toEqual([expect.objectContaining({ cause: 'Waiting for device downloaded package timeout' })]);
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
      ['end', 'UpgradeFailed', v1FailureDetails.updateFailed],
    ];
    for (const [action, status, detail] of expectations) {
      const r = drive([control(action)], 2000, holding.state);
      expect(r.results, action).toEqual([expect.objectContaining({ status, detail })]);
      if (action === 'end') expect(r.results[0]!.cause).toBe(stepTimeouts.download!.cause);
      expect(r.cell, action).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
    }
    expect(drive([control('cancel', 'other')], 2000, holding.state).results).toEqual([]);
  });

  it('R-SAFE-1: a halt stops a device that has not begun its download (its token request withdrawn) and lets one mid-upgrade finish without retrying', () => {
    const waiting = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } })]);
    expect(waiting.state.task?.step).toBe('awaitToken');
    const stopped = drive([control('halt')], 2000, waiting.state);
    expect(stopped.results).toEqual([expect.objectContaining({ status: 'CampaignCancelled', detail: resultDetails.halted })]);
    expect(stopped.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);

    const downloading = drive([grant], 2000, waiting.state);
    const halted = drive([control('halt')], 3000, downloading.state);
    expect(halted.results).toEqual([]);
    // The offer allows 2 retries; a halted device's failure is final.
    const failed = drive([report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 4 })], 4000, halted.state);
    expect(failed.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', attempt: 1 })]);
  });

  it('R-SAFE-3, R-SAFE-6: a decision names the part and wave of the offer and the cell and limit of the latest check-in', () => {
    const r = drive([{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer: { ...offer, part: 3, wave: 1 } }]);
    expect(decisionsOf(r.outputs)).toEqual([expect.objectContaining({ status: 'Accepted', part: 3, wave: 1, cellId: 'c1', cellLimit: 50 })]);
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

  it('R-REQ-3, R-FLOW-4: a retryable failure frees the token, waits the campaign\'s interval and starts the next attempt; the last attempt is final', () => {
    const once = { ...offer, retry: { attempts: 1, intervalMinutes: 5 } };
    const start: DeviceInput[] = [{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer: once }, control('start')];
    const holding = drive([...start, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant], 0);
    const failed = drive([report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 4 })], 10, holding.state);
    expect(failed.results).toEqual([]);
    expect(failed.cell.map((c) => c.type)).toEqual(['release']);
    expect(deviceActor.wakeAt(failed.state)).toBe(10 + 5 * 60_000);
    const second = drive([{ kind: 'wake', at: 0 }], 10 + 5 * 60_000, failed.state);
    expect(second.commands).toEqual(['QUERY_VERSION']);
    expect(second.outputs.map((o) => (o.value as { commandId?: string }).commandId)).toEqual(['d1/k1/2/QUERY_VERSION']);
    const timedOut = drive([{ kind: 'wake', at: 0 }], 10 + 5 * 60_000 + stepTimeouts.queryVersion!.ms, second.state);
    expect(timedOut.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', attempt: 2, cause: stepTimeouts.queryVersion!.cause })]);
  });

  it('R-REQ-3: storage, memory, unsupported package and invalid URI are final at once', () => {
    for (const code of [2, 3, 6, 7]) {
      const r = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: code })]);
      expect(r.results, String(code)).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: lwm2mResultCodes[code], attempt: 1 })]);
    }
  });

  it('R-RES-1: v1 results word a failure by what went wrong', () => {
    const r = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 6 })]);
    expect(r.results[0]).toMatchObject({ detail: v1FailureDetails.prerequisites, cause: 'Unsupported package type' });
  });
});

describe('device actor, LwM2M cell-id fallback', () => {
  const MIN = 60_000;
  const noRetry: DeviceInput[] = [{ kind: 'checkin', checkin: profile }, { kind: 'offer', offer: { ...offer, retry: null } }, control('start')];
  const cellIdAnswer = (cellId = 'c7') => report('CELL_ID', { radio: { cellId, rsrp: null, sinr: null } });
  /** A device asked for its radio at t = 0. */
  const radioAsked = () => drive([...noRetry, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' })], 0);
  /** The same device after its radio query ran out at 3 min. */
  const cellIdAsked = () => drive([{ kind: 'wake', at: 0 }], stepTimeouts.queryRadio!.ms, radioAsked().state);

  it('R-CELL-1, R-FLOW-4: a radio query left unanswered for 3 min asks for the cell id, with its own 3-min wait', () => {
    const asked = radioAsked();
    expect(deviceActor.wakeAt(asked.state)).toBe(3 * MIN);
    expect(drive([{ kind: 'wake', at: 0 }], 3 * MIN - 1, asked.state).commands).toEqual([]);
    const r = cellIdAsked();
    expect(r.commands).toEqual(['QUERY_CELL_ID']);
    expect(r.outputs.map((o) => (o.value as { commandId?: string }).commandId)).toEqual(['d1/k1/1/QUERY_CELL_ID']);
    expect(r.results).toEqual([]);
    expect(r.cell).toEqual([]);
    expect(deviceActor.wakeAt(r.state)).toBe(6 * MIN);
  });

  it('R-CELL-1: a radio answer without RSRP or SINR is a failed radio query and asks for the cell id at once', () => {
    for (const radio of [null, { cellId: 'c1', rsrp: null, sinr: null }, { cellId: 'c1', rsrp: -90, sinr: null }, { cellId: 'c1', rsrp: null, sinr: 12 }]) {
      const r = drive([report('RADIO', { radio })], 10, radioAsked().state);
      expect(r.commands, JSON.stringify(radio)).toEqual(['QUERY_CELL_ID']);
      expect(r.cell, JSON.stringify(radio)).toEqual([]);
    }
  });

  it('R-CELL-1: the cell id answered takes a token of that cell with limit 10, and the upgrade goes on', () => {
    const r = drive([cellIdAnswer('c7')], 4 * MIN, cellIdAsked().state);
    expect(r.cell).toEqual([expect.objectContaining({ type: 'acquire', cellId: 'c7', radio: { rsrp: null, sinr: null } })]);
    expect(cellLimit((r.cell[0] as Extract<CellRequest, { type: 'acquire' }>).radio)).toBe(10);
    const tokenGrant: DeviceInput = { kind: 'grant', grant: { type: 'grant', cellId: 'c7', deviceId: 'd1', campaignId: 'k1', attempt: 1, limit: 10, at: 1 } };
    const done = drive([tokenGrant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 1 })], 5 * MIN, r.state);
    expect(done.commands).toEqual(['SUBSCRIBE', 'DELIVER_PACKAGE', 'UPGRADE', 'QUERY_RESULT', 'UNSUBSCRIBE']);
    expect(done.results).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', cellId: 'c7' })]);
    expect(done.cell).toEqual([expect.objectContaining({ type: 'release', cellId: 'c7' })]);
  });

  it('R-CELL-1, R-FLOW-4: a cell-id query left unanswered for 3 min fails the device with "Waiting for report cellId timeout"', () => {
    const r = drive([{ kind: 'wake', at: 0 }], 6 * MIN, cellIdAsked().state);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: 'Waiting for report cellId timeout', detail: v1FailureDetails.updateFailed, cellId: null })]);
    expect(r.cell).toEqual([]);
    expect(deviceActor.wakeAt(r.state)).toBeUndefined();
  });

  it('R-CELL-1, R-FLOW-4, R-REQ-3: an answer without a cell id fails at once, and is retried while attempts remain', () => {
    const r = drive([report('CELL_ID', { radio: null })], 4 * MIN, cellIdAsked().state);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: stepTimeouts.queryCellId!.cause })]);
    const withRetries = drive([...accepted, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' })], 0);
    const retried = drive([{ kind: 'wake', at: 0 }, report('CELL_ID', { radio: null })], 3 * MIN, withRetries.state);
    expect(retried.results).toEqual([]);
    expect(retried.state.task).toMatchObject({ step: 'retryWait', lastCause: 'Waiting for report cellId timeout' });
  });

  it('R-CELL-1 (decision): neither the latest check-in\'s cell id nor an incomplete radio answer\'s stands in for the cell-id answer', () => {
    const asked = drive([report('RADIO', { radio: { cellId: 'c1', rsrp: null, sinr: null } })], 10, radioAsked().state);
    const checkedIn = drive([{ kind: 'checkin', checkin: { ...profile, radio: { cellId: 'c1', rsrp: -90, sinr: 12 }, at: 50 } }], 20, asked.state);
    expect(checkedIn.cell).toEqual([]);
    expect(checkedIn.state.profile?.radio?.cellId).toBe('c1');
    const r = drive([{ kind: 'wake', at: 0 }], 10 + stepTimeouts.queryCellId!.ms, checkedIn.state);
    expect(r.cell).toEqual([]);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: 'Waiting for report cellId timeout' })]);
  });

  it('R-CELL-1: a radio answer after the fallback began, or a cell-id answer nobody asked for, changes nothing', () => {
    const late = drive([report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } })], 4 * MIN, cellIdAsked().state);
    expect(late.outputs).toEqual([]);
    expect(late.state.task?.step).toBe('queryCellId');
    const early = drive([cellIdAnswer()], 10, radioAsked().state);
    expect(early.outputs).toEqual([]);
    expect(early.state.task?.step).toBe('queryRadio');
  });

  it('R-FLOW-4: a campaign ending while the cell id is asked for fails the device with the cell-id cause', () => {
    const r = drive([control('end')], 4 * MIN, cellIdAsked().state);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: 'Waiting for report cellId timeout' })]);
  });
});

describe('device actor, MQTT flow', () => {
  const mqtt = { ...offer, api: 'V2' as const, protocol: 'MQTT' as const, retry: null };
  const mqttDevice = { ...profile, protocol: 'MQTT' as const, clientType: 'MQTT_CLIENT' };

  it('R-FLOW-2: an offline MQTT device is waited for 25 h, not pushed, then fails', () => {
    const r = drive([{ kind: 'checkin', checkin: { ...mqttDevice, connected: false } }, { kind: 'offer', offer: mqtt }, control('start')], 0);
    expect(r.commands).toEqual([]);
    expect(deviceActor.wakeAt(r.state)).toBe(25 * 3_600_000);
    expect(drive([{ kind: 'wake', at: 0 }], 25 * 3_600_000, r.state).results).toEqual([expect.objectContaining({ cause: 'Waiting for the device online timeout' })]);
  });

  it('R-FLOW-2: an online MQTT device gets the package with a 24 h token and succeeds when it reports the target version', () => {
    const r = drive([{ kind: 'checkin', checkin: { ...mqttDevice, connected: false } }, { kind: 'offer', offer: mqtt }, control('start'), { kind: 'checkin', checkin: { ...mqttDevice, at: 5 } }, report('FIRMWARE_VERSION', { firmwareVersion: '1.0' })], 100);
    expect(r.commands).toEqual(['QUERY_VERSION', 'DELIVER_PACKAGE']);
    const delivery = r.outputs.find((o) => (o.value as { kind: string }).kind === 'DELIVER_PACKAGE')!.value as { package: { token: string; tokenExpiresAt: number } };
    expect(delivery.package.tokenExpiresAt).toBe(100 + 24 * 3_600_000);
    expect(deviceActor.wakeAt(r.state)).toBe(100 + 24 * 3_600_000);
    expect(r.cell).toEqual([]);
    const done = drive([report('UPDATE_RESULT', { firmwareVersion: '2.0' })], 200, r.state);
    expect(done.results).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: resultDetails.success.V2 })]);
    const wrong = drive([report('UPDATE_RESULT', { firmwareVersion: '1.5' })], 200, r.state);
    expect(wrong.results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', cause: lwm2mResultCodes[8] })]);
  });
});

describe('device actor, HTTP flow', () => {
  const http = { ...offer, api: 'V2' as const, protocol: 'HTTP' as const, packageKind: 'SOFTWARE' as const, retry: null };
  const httpDevice = { ...profile, protocol: 'HTTP' as const, clientType: 'ROVA_CLIENT' };
  const checkin = (at: number): DeviceInput => ({ kind: 'checkin', checkin: { ...httpDevice, at } });
  const client = (clientStatus: string) => report('CLIENT_STATUS', { clientStatus });

  it('R-FLOW-3, R-RES-3: an HTTP device is handed the package at a check-in, told to install once downloaded, and succeeds on its report', () => {
    const started = drive([checkin(1), { kind: 'offer', offer: http }, control('start')]);
    expect(started.commands).toEqual([]);
    const r = drive([checkin(2), client(httpProgress.downloaded), client(httpProgress.installed)], 1000, started.state);
    expect(r.commands).toEqual(['DELIVER_PACKAGE', 'UPGRADE']);
    expect(r.results).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: 'Download and install succeeded' })]);
  });

  it('R-FLOW-3, R-REQ-2: the package is handed only at a check-in inside the windows', () => {
    const windows = { update: { start: '09:00', end: '11:30', timeZone: 'Europe/Berlin', weekdays: [] }, download: null, apply: null };
    const started = drive([checkin(1), { kind: 'offer', offer: { ...http, windows } }, control('start')]);
    expect(drive([checkin(2)], Date.UTC(2026, 5, 9, 12, 0), started.state).commands).toEqual([]);
    expect(drive([checkin(2)], Date.UTC(2026, 5, 9, 8, 0), started.state).commands).toEqual(['DELIVER_PACKAGE']);
  });

  it('R-RES-3: a client failure code is the result detail; a device that never reported, or never installed, is failed so at the end', () => {
    const started = drive([checkin(1), { kind: 'offer', offer: http }, control('start')]);
    expect(drive([checkin(2), client(httpClientCodes.downloadFailed)], 1000, started.state).results).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: 'RovaClientDownloadFailed' })]);
    expect(drive([control('end')], 1000, started.state).results[0]).toMatchObject({ detail: 'RovaClientDidNotReportStatus' });
    const downloaded = drive([checkin(2), client(httpProgress.downloaded)], 1000, started.state);
    expect(drive([client(httpClientCodes.installFailed)], 1000, downloaded.state).results[0]).toMatchObject({ detail: 'RovaClientDownloadedInstallFailed' });
  });
});
