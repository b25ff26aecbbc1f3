import { describe, expect, it } from 'vitest';
import { spec, sentTo, wake } from '../../../test/support/decider-spec.ts';
import { checkin, commandKinds, control, grant, offered, report } from '../../../test/support/device-inputs.ts';
import { deviceActor } from '../device-actor.ts';
import { resultDetails, stepTimeouts } from '../task.ts';

const device = spec(deviceActor, 'd1');
const MIN = 60_000;
const HOUR = 60 * MIN;
const noRetry = [checkin(), offered({ retry: null }), control('start')];
const version = report('FIRMWARE_VERSION', { firmwareVersion: '1.0' });
const radio = report('RADIO', { radio: { cellId: 'c1', rsrp: -90, sinr: 12 } });
type Result = { status: string; cause: string | null; attempt: number };
const causeOf = (outputs: Parameters<typeof commandKinds>[0]) => sentTo<Result>('campaign-device-results', outputs).map((r) => r.cause);

describe('LwM2M flow', () => {
  it('R-FLOW-1 step 1: any report of a pushed device, even one naming no campaign, brings the version query', () => {
    device
      .given([checkin({ connected: false }), offered(), control('start')])
      .when(report('RADIO', { campaignId: null, radio: { cellId: 'c1', rsrp: -90, sinr: 12 } }), 5000)
      .then((outputs, state) => {
        expect(commandKinds(outputs)).toEqual(['QUERY_VERSION']);
        expect(state?.task?.deadline).toBe(5000 + stepTimeouts.queryVersion!.ms);
      });
  });

  it('R-FLOW-1 step 5: download progress is kept, the 60-minute deadline is not moved, and a later attempt keeps it', () => {
    const downloading = [checkin(), offered(), control('start'), version, radio, grant].map((input) => [input, 0] as const);
    const progressed = device.given(downloading).when(report('DOWNLOAD_PROGRESS', { bytesDownloaded: 400 }), 30 * MIN).then((outputs, state) => {
      expect(outputs).toEqual([]);
      expect(state?.task).toMatchObject({ step: 'download', bytesDownloaded: 400, deadline: stepTimeouts.download!.ms });
    });
    // R-REQ-3: the download wait runs out (retried); the next attempt resumes from what was downloaded.
    const retrying = device.given(progressed.state!).when(wake(stepTimeouts.download!.ms), stepTimeouts.download!.ms).then((outputs, state) => {
      expect(sentTo('cell-requests', outputs)).toEqual([expect.objectContaining({ type: 'release', cellId: 'c1' })]);
      expect(state?.task).toMatchObject({ step: 'retryWait', lastCause: stepTimeouts.download!.cause, bytesDownloaded: 400 });
    });
    const next = deviceActor.wakeAt(retrying.state!)!;
    device.given(retrying.state!).when(wake(next), next).then((outputs, state) => {
      expect(commandKinds(outputs)).toEqual(['QUERY_VERSION']);
      expect(state?.task).toMatchObject({ attempt: 2, bytesDownloaded: 400 });
    });
  });

  it('R-CELL-3: a repeated grant of the token held changes nothing; a grant of an earlier attempt goes straight back', () => {
    const holding = [...noRetry, version, radio, grant];
    device.given(holding).when(grant, 10).thenNothingHappened();
    const stale = { kind: 'grant' as const, grant: { type: 'grant' as const, cellId: 'c9', deviceId: 'd1', campaignId: 'k1', attempt: 0, limit: 10, at: 10 } };
    device.given(holding).when(stale, 10).then((outputs) => expect(sentTo('cell-requests', outputs)).toEqual([expect.objectContaining({ type: 'release', cellId: 'c9', attempt: 0 })]));
  });

  it('R-FLOW-4: a campaign ending fails a device waiting for its windows or a token as not started, one waiting for the apply window with its own cause, one waiting to retry with its last cause', () => {
    const closed = { start: '00:00', end: '00:01', timeZone: 'UTC', weekdays: [] };
    const at = Date.UTC(2026, 5, 10, 12, 0);
    const end = (history: Parameters<typeof device.given>[0]) => device.given(history).when(control('end'), at).then(() => undefined).outputs;
    expect(causeOf(end([checkin(), offered({ windows: { update: closed, download: null, apply: null } }), [control('start'), at] as const]))).toEqual([resultDetails.endedBeforeStart]);
    expect(causeOf(end([...noRetry, version, radio]))).toEqual([resultDetails.endedBeforeStart]);
    const applyLater = [checkin(), offered({ windows: { update: null, download: null, apply: closed } }), control('start'), version, radio, grant, [report('DOWNLOADED'), at] as const];
    expect(causeOf(end(applyLater))).toEqual([resultDetails.applyWindowNeverReached]);
    expect(causeOf(end([checkin(), offered(), control('start'), version, radio, grant, report('DOWNLOADED'), report('UPDATE_RESULT', { resultCode: 5 })]))).toEqual(['Integrity check failure for new downloaded package']);
  });

  it('R-LC-4, R-REQ-3: a retry after the online timeout is pushed again with its own three 04:00 UTC re-pushes', () => {
    const t0 = Date.UTC(2026, 5, 10, 15, 30);
    let state = device.given([checkin({ connected: false }), offered({ retry: { attempts: 1, intervalMinutes: 5 } })]).when(control('start'), t0).then(() => undefined).state!;
    const wakeNext = () => {
      const at = deviceActor.wakeAt(state)!;
      const d = device.given(state).when(wake(at), at).then(() => undefined);
      state = d.state!;
      return { at, commands: commandKinds(d.outputs) };
    };
    const first = [wakeNext(), wakeNext(), wakeNext(), wakeNext()];
    expect(first.map((w) => w.commands)).toEqual([['PUSH'], ['PUSH'], ['PUSH'], []]);
    expect(state.task).toMatchObject({ step: 'retryWait', lastCause: stepTimeouts.awaitOnline!.cause });
    const retry = wakeNext();
    expect(retry).toEqual({ at: Date.UTC(2026, 5, 14, 4, 5), commands: ['PUSH'] });
    expect(state.task).toMatchObject({ attempt: 2, repushes: 0 });
    expect(new Date(deviceActor.wakeAt(state)!).toISOString()).toBe('2026-06-15T04:00:00.000Z');
    expect([wakeNext(), wakeNext(), wakeNext()].map((w) => w.commands)).toEqual([['PUSH'], ['PUSH'], ['PUSH']]);
    expect(new Date(deviceActor.wakeAt(state)!).getTime()).toBe(Date.UTC(2026, 5, 17, 4, 0) + 24 * HOUR);
  });
});
