import { describe, expect, it } from 'vitest';
import { spec, sentTo, wake } from '../../../test/support/decider-spec.ts';
import { checkin, commandKinds, control, grant, offered, report } from '../../../test/support/device-inputs.ts';
import { deviceActor } from '../device-actor.ts';
import { lwm2mResultCodes, resultDetails, stepTimeouts } from '../task.ts';

const device = spec(deviceActor, 'd1');
const HOUR = 3_600_000;
const mqttDevice = checkin({ protocol: 'MQTT', clientType: 'MQTT_CLIENT' });
const mqtt = (retry: { attempts: number; intervalMinutes: number } | null = null) => offered({ api: 'V2', protocol: 'MQTT', retry });
const version = (v: string) => report('FIRMWARE_VERSION', { firmwareVersion: v });
type Result = { status: string; detail: string; cause: string | null; attempt: number };
const resultsOf = (outputs: Parameters<typeof commandKinds>[0]) => sentTo<Result>('campaign-device-results', outputs);
const transferring = [mqttDevice, mqtt(), control('start'), version('1.0')].map((input) => [input, 0] as const);

describe('MQTT flow', () => {
  it('R-FLOW-2: any report of a device waited for brings the version query', () => {
    device
      .given([checkin({ protocol: 'MQTT', clientType: 'MQTT_CLIENT', connected: false }), mqtt(), control('start')])
      .when(report('DOWNLOAD_PROGRESS', { campaignId: null }), 10)
      .then((outputs) => expect(commandKinds(outputs)).toEqual(['QUERY_VERSION']));
  });

  it('R-FLOW-2: a device already at the target version succeeds without a package', () => {
    device.given([mqttDevice, mqtt(), control('start')]).when(version('2.0'), 10).then((outputs) => {
      expect(commandKinds(outputs)).toEqual([]);
      expect(resultsOf(outputs)).toEqual([expect.objectContaining({ status: 'UpgradeSuccess', detail: resultDetails.alreadyAtTarget })]);
    });
  });

  it('R-FLOW-2: progress is kept without moving the 24 h deadline; DOWNLOADED and UPDATE_STARTED are ignored; a cell grant goes straight back (no token)', () => {
    device.given(transferring).when(report('DOWNLOAD_PROGRESS', { bytesDownloaded: 300 }), HOUR).then((outputs, state) => {
      expect(outputs).toEqual([]);
      expect(state?.task).toMatchObject({ step: 'mqttTransfer', bytesDownloaded: 300, deadline: stepTimeouts.mqttTransfer!.ms });
    });
    device.given(transferring).when(report('DOWNLOADED'), HOUR).thenNothingHappened();
    device.given(transferring).when(report('UPDATE_STARTED'), HOUR).thenNothingHappened();
    device.given(transferring).when(grant, HOUR).then((outputs) => expect(sentTo('cell-requests', outputs)).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]));
  });

  it('R-FLOW-4: the version and transfer waits fail with their causes, and a campaign ending fails with the cause of the wait the device is in', () => {
    const asked = [mqttDevice, mqtt(), control('start')].map((input) => [input, 0] as const);
    device.given(asked).when(wake(stepTimeouts.queryVersion!.ms), stepTimeouts.queryVersion!.ms).then((outputs) => expect(resultsOf(outputs).map((r) => r.cause)).toEqual([stepTimeouts.queryVersion!.cause]));
    device.given(transferring).when(wake(24 * HOUR), 24 * HOUR).then((outputs) => expect(resultsOf(outputs).map((r) => r.cause)).toEqual([stepTimeouts.mqttTransfer!.cause]));
    device.given(transferring).when(control('end'), HOUR).then((outputs) => expect(resultsOf(outputs).map((r) => r.cause)).toEqual([stepTimeouts.mqttTransfer!.cause]));
    const offline = [checkin({ protocol: 'MQTT', clientType: 'MQTT_CLIENT', connected: false }), mqtt(), control('start')];
    device.given(offline).when(control('end'), HOUR).then((outputs) => expect(resultsOf(outputs).map((r) => r.cause)).toEqual([stepTimeouts.awaitOnline!.cause]));
  });

  it('R-RES-2, R-REQ-3: a retryable result code waits the interval and starts again with the version query; a final one ends the device', () => {
    const once = [mqttDevice, mqtt({ attempts: 1, intervalMinutes: 5 }), control('start'), version('1.0')].map((input) => [input, 0] as const);
    const waiting = device.given(once).when(report('UPDATE_RESULT', { resultCode: 4 }), HOUR).then((outputs, state) => {
      expect(resultsOf(outputs)).toEqual([]);
      expect(state?.task).toMatchObject({ step: 'retryWait', lastCause: lwm2mResultCodes[4], deadline: HOUR + 5 * 60_000 });
    });
    device.given(waiting.state!).when(wake(HOUR + 5 * 60_000), HOUR + 5 * 60_000).then((outputs) => {
      expect(sentTo<{ commandId: string }>('device-commands', outputs).map((c) => c.commandId)).toEqual(['d1/k1/2/QUERY_VERSION']);
    });
    device.given(once).when(report('UPDATE_RESULT', { resultCode: 2 }), HOUR).then((outputs) => {
      expect(resultsOf(outputs)).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: lwm2mResultCodes[2], cause: lwm2mResultCodes[2], attempt: 1 })]);
    });
  });
});
