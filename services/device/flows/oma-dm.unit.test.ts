import { describe, expect, it } from 'vitest';
import { spec, sentTo, wake } from '../../../test/support/decider-spec.ts';
import { checkin, commandKinds, control, grant, offered, report } from '../../../test/support/device-inputs.ts';
import { deviceActor } from '../device-actor.ts';
import { resultDetails, stepTimeouts, v1FailureDetails } from '../task.ts';

const device = spec(deviceActor, 'd1');
const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 5, 10, 15, 30); // a Wednesday afternoon, hours before 04:00 UTC
const omaDm = { protocol: 'OMA_DM' as const, clientType: 'OMA_DM_CLIENT' };
const silent = (protocol: 'OMA_DM' | 'LWM2M', retry: { attempts: number; intervalMinutes: number } | null = null) => [
  checkin({ protocol, clientType: protocol === 'OMA_DM' ? omaDm.clientType : 'LWM2M_CLIENT', connected: false }),
  offered({ protocol, retry }),
];
type Result = { status: string; detail: string; cause: string | null; attempt: number };

describe('OMA-DM flow', () => {
  it('R-LC-4 (decision): a silent OMA-DM device is pushed once, not again at 04:00 UTC as an LwM2M device is, and fails 24 h after the push', () => {
    const pushed = device.given(silent('OMA_DM')).when(control('start'), t0).then((outputs) => expect(commandKinds(outputs)).toEqual(['PUSH']));
    expect(deviceActor.wakeAt(pushed.state!)).toBe(t0 + stepTimeouts.awaitOnline!.ms);
    const lwm2m = device.given(silent('LWM2M')).when(control('start'), t0).then(() => undefined);
    expect(new Date(deviceActor.wakeAt(lwm2m.state!)!).toISOString()).toBe('2026-06-11T04:00:00.000Z');
    device.given(pushed.state!).when(wake(t0 + 24 * HOUR), t0 + 24 * HOUR).then((outputs, state) => {
      expect(commandKinds(outputs)).toEqual([]);
      expect(sentTo<Result>('campaign-device-results', outputs)).toEqual([
        expect.objectContaining({ status: 'UpgradeFailed', detail: v1FailureDetails.notConnected, cause: stepTimeouts.awaitOnline!.cause }),
      ]);
      expect(state?.task).toBeNull();
    });
  });

  it('R-LC-4 (decision), R-REQ-3: each attempt of a silent OMA-DM device is one push and one 24 h wait', () => {
    const history = [...silent('OMA_DM', { attempts: 1, intervalMinutes: 5 }), [control('start'), t0] as const, [wake(t0 + 24 * HOUR), t0 + 24 * HOUR] as const];
    const retryAt = t0 + 24 * HOUR + 5 * 60_000;
    const second = device.given(history).when(wake(retryAt), retryAt).then((outputs) => {
      expect(sentTo<{ commandId: string }>('device-commands', outputs).map((c) => c.commandId)).toEqual(['d1/k1/2/PUSH']);
    });
    expect(deviceActor.wakeAt(second.state!)).toBe(retryAt + 24 * HOUR);
    device.given(second.state!).when(wake(retryAt + 24 * HOUR), retryAt + 24 * HOUR).then((outputs) => {
      expect(commandKinds(outputs)).toEqual([]);
      expect(sentTo<Result>('campaign-device-results', outputs)).toEqual([expect.objectContaining({ status: 'UpgradeFailed', attempt: 2 })]);
    });
  });

  it('R-FLOW-1, R-CELL-1, R-RES-1: an OMA-DM device walks the LwM2M steps: version, radio, cell token, package, upgrade, result', () => {
    const started = [checkin(omaDm), offered({ protocol: 'OMA_DM' }), control('start'), report('FIRMWARE_VERSION', { firmwareVersion: '1.0' })];
    const granted = [...started, report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), grant, report('DOWNLOADED')];
    device.given(granted).when(report('UPDATE_RESULT', { resultCode: 1 }), t0).then((outputs) => {
      expect(commandKinds(outputs)).toEqual(['QUERY_RESULT', 'UNSUBSCRIBE']);
      expect(sentTo<Result>('campaign-device-results', outputs)).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: resultDetails.success.V1, cellId: 'c1' })]);
      expect(sentTo('cell-requests', outputs)).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
    });
    // R-CELL-1: the cell-id fallback is the same as LwM2M's.
    device.given(started).when(report('RADIO', { radio: { cellId: 'c1', rsrp: null, sinr: null } }), t0).then((outputs) => expect(commandKinds(outputs)).toEqual(['QUERY_CELL_ID']));
  });
});
