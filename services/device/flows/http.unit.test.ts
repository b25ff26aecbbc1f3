import { describe, expect, it } from 'vitest';
import { spec, sentTo, wake } from '../../../test/support/decider-spec.ts';
import { checkin, commandKinds, control, offered, report } from '../../../test/support/device-inputs.ts';
import { deviceActor } from '../device-actor.ts';
import { httpClientCodes, httpProgress } from '../task.ts';

const device = spec(deviceActor, 'd1');
const httpDevice = (at = 1) => checkin({ protocol: 'HTTP', clientType: 'ROVA_CLIENT', at });
const http = (extra: Parameters<typeof offered>[0] = {}) => offered({ api: 'V2', protocol: 'HTTP', packageKind: 'SOFTWARE', retry: null, ...extra });
const client = (clientStatus: string) => report('CLIENT_STATUS', { clientStatus });
type Result = { status: string; detail: string; attempt: number };
const resultsOf = (outputs: Parameters<typeof commandKinds>[0]) => sentTo<Result>('campaign-device-results', outputs);

// Tuesday 2026-06-09; the apply window is 20:00–21:00 UTC.
const noon = Date.UTC(2026, 5, 9, 12, 0);
const evening = Date.UTC(2026, 5, 9, 20, 15);
const applyInTheEvening = http({ windows: { update: null, download: null, apply: { start: '20:00', end: '21:00', timeZone: 'UTC', weekdays: [] } } });

describe('HTTP flow', () => {
  it('R-FLOW-3, R-LC-4: an HTTP device is never pushed and has no platform deadline: it is served at its check-ins', () => {
    const started = device.given([httpDevice(), http()]).when(control('start'), noon).then((outputs, state) => {
      expect(commandKinds(outputs)).toEqual([]);
      expect(state?.task).toMatchObject({ step: 'awaitCheckin', deadline: null });
    });
    device.given(started.state!).when(httpDevice(2), noon).then((outputs, state) => {
      expect(commandKinds(outputs)).toEqual(['DELIVER_PACKAGE']);
      expect(deviceActor.wakeAt(state!)).toBeUndefined();
    });
  });

  it('R-FLOW-3, R-REQ-2: downloaded outside the apply window, the device is told to install at its first check-in inside it', () => {
    const downloading = [httpDevice(), applyInTheEvening, control('start'), httpDevice(2)].map((input) => [input, noon] as const);
    const waiting = device.given(downloading).when(client(httpProgress.downloaded), noon).then((outputs, state) => {
      expect(commandKinds(outputs)).toEqual([]);
      expect(state?.task).toMatchObject({ step: 'httpAwaitApply', deadline: null });
    });
    device.given(waiting.state!).when(httpDevice(3), noon + 60_000).then((outputs, state) => {
      expect(outputs).toEqual([]);
      expect(state?.task).toEqual(waiting.state!.task);
    });
    device.given(waiting.state!).when(httpDevice(4), evening).then((outputs) => expect(commandKinds(outputs)).toEqual(['UPGRADE']));
    // R-RES-3: downloaded but never installed by the campaign's end.
    device.given(waiting.state!).when(control('end'), evening).then((outputs) => expect(resultsOf(outputs)).toEqual([expect.objectContaining({ detail: httpClientCodes.notInstalledYet })]));
  });

  it('R-RES-3, R-REQ-3: a download failure is retried with the package at the next check-in; "Uknown device error." and "Other." are final at once', () => {
    const handed = [httpDevice(), http({ retry: { attempts: 1, intervalMinutes: 5 } }), control('start'), httpDevice(2)].map((input) => [input, noon] as const);
    const waiting = device.given(handed).when(client(httpClientCodes.downloadFailed), noon).then((outputs) => expect(resultsOf(outputs)).toEqual([]));
    const retried = device.given(waiting.state!).when(wake(noon + 5 * 60_000), noon + 5 * 60_000).then((outputs) => expect(commandKinds(outputs)).toEqual([]));
    device.given(retried.state!).when(httpDevice(3), noon + 6 * 60_000).then((outputs) => {
      expect(sentTo<{ commandId: string }>('device-commands', outputs).map((c) => c.commandId)).toEqual(['d1/k1/2/DELIVER_PACKAGE']);
    });
    for (const code of [httpClientCodes.unknown, httpClientCodes.other]) {
      device.given(handed).when(client(code), noon).then((outputs) => expect(resultsOf(outputs), code).toEqual([expect.objectContaining({ status: 'UpgradeFailed', detail: code, attempt: 1 })]));
    }
  });

  it('R-RES-3: the statuses otaflow gives at the campaign\'s end, and an install reported before UPGRADE, change nothing', () => {
    const handed = [httpDevice(), http(), control('start'), httpDevice(2)].map((input) => [input, noon] as const);
    for (const code of [httpClientCodes.didNotReport, httpClientCodes.notInstalledYet]) device.given(handed).when(client(code), noon).thenNothingHappened();
    device.given(handed).when(client(httpProgress.installed), noon).thenNothingHappened();
  });
});
