import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import { campaignActor, requestProblem, type CampaignState } from './campaign-actor.ts';
import type { CampaignCommand, CampaignInput, CampaignRequest } from './messages.ts';

const request: CampaignRequest = {
  api: 'V1',
  protocol: 'LWM2M',
  make: 'Acme',
  model: 'S1',
  fromVersions: ['1.0'],
  targetVersion: '2.0',
  packageKind: 'FIRMWARE',
  package: { url: 'https://fw.example/2.0.bin', sizeBytes: 1000, checksum: 'sha256:00' },
  schedule: { kind: 'ON_DEMAND', startAt: null, endAt: null, window: null, downloadWindow: null, applyWindow: null },
  retry: { attempts: 2, intervalMinutes: 5 },
  pilot: false,
};
const schedule = (deviceIds: string[], r: CampaignRequest = request): CampaignInput => ({
  kind: 'command',
  command: { commandId: 'c1', campaignId: 'k1', type: 'SCHEDULE', request: r, deviceIds, at: 1 },
});
const decision = (deviceId: string, status: 'Accepted' | 'DeviceRejected'): CampaignInput => ({
  kind: 'decision',
  decision: { type: 'decision', campaignId: 'k1', deviceId, status, detail: 'x', at: 1 },
});
const result = (deviceId: string, status: 'UpgradeSuccess' | 'UpgradeFailed'): CampaignInput => ({
  kind: 'result',
  result: { campaignId: 'k1', deviceId, attempt: 1, status, detail: 'x', cellId: null, fromVersion: null, toVersion: null, at: 1 },
});

function drive(inputs: CampaignInput[]) {
  let state: CampaignState = campaignActor.initial('k1');
  const outputs: Output[] = [];
  for (const i of inputs) {
    const d = campaignActor.decide(state, i, 5);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  const events = outputs.filter((o) => o.topic === 'campaign-events').map((o) => o.value as { type: string; from: string | null; to: string | null; reason: string | null });
  const transitions = events.filter((e) => e.type === 'STATE_CHANGED').map((e) => `${e.from}->${e.to}`);
  return { state, outputs, events, transitions };
}

describe('campaign actor', () => {
  it('R-LC-1: a v1 on-demand campaign goes RequestPending → Queued → InProgress → Finished as devices finish', () => {
    const r = drive([schedule(['a', 'b']), decision('a', 'Accepted'), decision('b', 'Accepted'), result('a', 'UpgradeSuccess'), result('b', 'UpgradeFailed')]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress', 'InProgress->Finished']);
    expect(r.state).toMatchObject({ accepted: 2, succeeded: 1, failed: 1, status: 'Finished' });
  });

  it('R-LC-2: an on-demand v2 campaign bypasses Queued and Ends when every device is final', () => {
    const r = drive([schedule(['a'], { ...request, api: 'V2', protocol: 'HTTP' }), decision('a', 'Accepted'), result('a', 'UpgradeSuccess')]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Scheduled', 'Scheduled->Ended']);
  });

  it('R-REQ-5: a campaign in which no device is accepted fails its request', () => {
    const r = drive([schedule(['a']), decision('a', 'DeviceRejected')]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.events.at(-1)?.reason).toBe('no device was accepted');
  });

  it('R-REQ-2, R-REQ-3: retry out of range fails the request with the reason, not clamped', () => {
    expect(requestProblem({ ...request, retry: { attempts: 6, intervalMinutes: 5 } }, ['a'])).toMatch(/attempts must be 0–5/);
    expect(requestProblem({ ...request, retry: { attempts: 2, intervalMinutes: 0 } }, ['a'])).toMatch(/interval must be 1–1440/);
    expect(requestProblem({ ...request, retry: { attempts: 5, intervalMinutes: 1440 } }, ['a'])).toBeUndefined();
    const r = drive([schedule(['a'], { ...request, retry: { attempts: 9, intervalMinutes: 5 } })]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.outputs.some((o) => o.topic === 'device-offers')).toBe(false);
  });

  it('R-LC-3: a command for an unknown campaign is refused with a reason and changes nothing', () => {
    const cancel: CampaignCommand = { commandId: 'c9', campaignId: 'k1', type: 'CANCEL', request: null, deviceIds: [], at: 1 };
    const r = drive([{ kind: 'command', command: cancel }]);
    expect(r.events).toEqual([expect.objectContaining({ type: 'COMMAND_REFUSED', reason: 'unknown campaign k1' })]);
    expect(r.state).toEqual(campaignActor.initial('k1'));
  });

  it('R-REQ-1: a schedule offers the campaign to every named device once', () => {
    const r = drive([schedule(['a', 'b', 'c'])]);
    expect(r.outputs.filter((o) => o.topic === 'device-offers').map((o) => o.key)).toEqual(['a', 'b', 'c']);
    expect(drive([schedule(['a', 'a'])]).transitions).toContain('RequestPending->RequestFailed');
  });
});
