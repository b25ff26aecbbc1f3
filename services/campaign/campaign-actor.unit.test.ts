import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import { DYNAMIC_PARTS, dynamicPart, type PartMessage } from '../../contracts/campaign-parts.ts';
import type { DynamicCampaignRecord } from '../../contracts/dynamic-campaigns.ts';
import { campaignActor as campaignActorUnder, type CampaignInput, type CampaignState, type CampaignStatus, requestProblem, terminal } from './campaign-actor.ts';
import type { CampaignCommand, CampaignRequest, CommandType } from '../../contracts/campaign-commands.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import { v1Request } from '../../test/support/campaign-fixtures.ts';
import { OPEN_POLICY } from './command-policy.ts';

const campaignActor = campaignActorUnder(OPEN_POLICY);

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 5, 10, 15, 30);

const v1 = v1Request;
const v2: CampaignRequest = { ...v1, api: 'V2', protocol: 'HTTP', schedule: { ...v1.schedule, kind: 'ON_DEMAND' } };

const command = (type: CommandType, extra: Partial<CampaignCommand> = {}): CampaignInput => ({
  kind: 'command',
  command: { commandId: `${type}-1`, campaignId: 'k1', type, request: null, deviceIds: [], part: 0, parts: 1, deviceCount: null, at: 0, ...extra },
});
const schedule = (deviceIds: string[], request: CampaignRequest = v1, extra: Partial<CampaignCommand> = {}) => command('SCHEDULE', { request, deviceIds, ...extra });
const decision = (deviceId: string, status: 'Accepted' | 'DeviceRejected' | 'Duplicate' = 'Accepted'): CampaignInput => ({
  kind: 'decision',
  decision: { type: 'decision', campaignId: 'k1', deviceId, status, detail: 'x', at: 0 },
});
const result = (deviceId: string, status: DeviceResult['status'] = 'UpgradeSuccess'): CampaignInput => ({
  kind: 'result',
  result: { campaignId: 'k1', deviceId, attempt: 1, status, detail: 'x', cause: null, cellId: null, fromVersion: null, toVersion: null, at: 0 },
});
const wake: CampaignInput | { kind: 'wake'; at: number } = { kind: 'wake', at: 0 };
const gateAnswer = (open: boolean, pilot = false): CampaignInput => ({ kind: 'pilot', answer: { type: 'gate-answer', campaignId: 'k1', open, pilot, at: 0 } });

/** Given inputs at times, then the state, the events and the part messages. */
function given(steps: [CampaignInput | typeof wake, number][], start: CampaignState = campaignActor.initial('k1')) {
  let state = start;
  const outputs: Output[] = [];
  for (const [input, now] of steps) {
    const d = campaignActor.decide(state, input, now);
    state = d.state ?? campaignActor.initial('k1');
    outputs.push(...d.outputs);
  }
  const events = outputs.filter((o) => o.topic === 'campaign-events').map((o) => o.value as { type: string; from: string | null; to: string | null; reason: string | null });
  const parts = outputs.filter((o) => o.topic === 'campaign-parts').map((o) => o.value as PartMessage);
  return {
    state,
    events,
    parts,
    /** R-SAFE-5: the records of the dynamic campaigns catalog. */
    catalog: outputs.filter((o) => o.topic === 'dynamic-campaigns').map((o) => o.value as DynamicCampaignRecord),
    transitions: events.filter((e) => e.type === 'STATE_CHANGED').map((e) => `${e.from}->${e.to}`),
    answers: events.filter((e) => e.type.startsWith('COMMAND_')).map((e) => `${e.type}: ${e.reason}`),
    /** Controls by action, releases (R-SAFE-2/3) as `release <count>`. */
    controls: parts.flatMap((p) => (p.type === 'control' ? [p.action] : p.type === 'release' ? [`release ${p.count}`] : [])),
  };
}

describe('campaign lifecycle v1', () => {
  it('R-LC-1, R-LC-4: an on-demand v1 campaign goes RequestPending → Queued → InProgress once checks pass, then Finished when every device is final', () => {
    const r = given([[schedule(['a', 'b']), T0], [decision('a'), T0], [decision('b'), T0 + 1], [result('a'), T0 + 2], [result('b', 'UpgradeFailed'), T0 + 3]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress', 'InProgress->Finished']);
    expect(r.controls).toEqual(['release 2']);
    expect(r.state).toMatchObject({ status: 'Finished', accepted: 2, succeeded: 1, failed: 1 });
  });

  it('R-LC-4: an on-demand v1 campaign starts within 2 hours even if some devices are still undecided', () => {
    const r = given([[schedule(['a', 'b']), T0], [decision('a'), T0 + HOUR]]);
    expect(r.state.status).toBe('RequestPending');
    expect(campaignActor.wakeAt(r.state)).toBe(T0 + 2 * HOUR);
    const started = given([[wake, T0 + 2 * HOUR], [decision('b'), T0 + 3 * HOUR], [result('a'), T0 + 3 * HOUR], [result('b'), T0 + 3 * HOUR]], r.state);
    expect(started.transitions).toEqual(['RequestPending->Queued', 'Queued->InProgress', 'InProgress->Finished']);
  });

  it('R-LC-4: a future v1 campaign waits in Queued until 00:00 UTC of its start day, on a durable wake-up', () => {
    const startAt = Date.UTC(2026, 5, 12, 9, 0);
    const r = given([[schedule(['a'], { ...v1, schedule: { ...v1.schedule, kind: 'FUTURE', startAt } }), T0], [decision('a'), T0]]);
    expect(r.state.status).toBe('Queued');
    expect(campaignActor.wakeAt(r.state)).toBe(Date.UTC(2026, 5, 12));
    const started = given([[wake, Date.UTC(2026, 5, 12)]], r.state);
    expect(started.transitions).toEqual(['Queued->InProgress']);
    expect(started.controls).toEqual(['release 1']);
  });

  it('R-LC-1: reaching the end date finishes the campaign and ends the devices still working', () => {
    const endAt = T0 + 48 * HOUR;
    const r = given([[schedule(['a', 'b'], { ...v1, schedule: { ...v1.schedule, endAt } }), T0], [decision('a'), T0], [decision('b'), T0], [result('a'), T0 + HOUR]]);
    expect(campaignActor.wakeAt(r.state)).toBe(endAt);
    const ended = given([[wake, endAt]], r.state);
    expect(ended.transitions).toEqual(['InProgress->Finished']);
    expect(ended.events.at(-1)?.reason).toBe('end date reached');
    expect(ended.controls).toEqual(['end']);
  });

  it('R-LC-1, R-LC-3: a v1 campaign can be cancelled before its start, not after', () => {
    const future = { ...v1, schedule: { ...v1.schedule, kind: 'FUTURE' as const, startAt: T0 + 72 * HOUR } };
    const queued = given([[schedule(['a'], future), T0], [decision('a'), T0]]);
    const cancelled = given([[command('CANCEL'), T0 + HOUR]], queued.state);
    expect(cancelled.transitions).toEqual(['Queued->Cancelled']);
    expect(cancelled.controls).toEqual(['cancel']);

    const inProgress = given([[schedule(['a']), T0], [decision('a'), T0]]);
    const refused = given([[command('CANCEL'), T0 + HOUR]], inProgress.state);
    expect(refused.answers).toEqual(['COMMAND_REFUSED: CANCEL: a campaign can be cancelled only before it starts; it is InProgress']);
    expect(refused.state).toEqual(inProgress.state);
  });

  it('R-LC-1: removing every device of a queued campaign cancels it', () => {
    const future = { ...v1, schedule: { ...v1.schedule, kind: 'FUTURE' as const, startAt: T0 + 72 * HOUR } };
    const r = given([[schedule(['a', 'b'], future), T0], [decision('a'), T0], [decision('b'), T0], [command('REMOVE_DEVICES', { deviceIds: ['a', 'b'] }), T0 + 1]]);
    expect(r.parts.filter((p) => p.type === 'remove')).toHaveLength(1);
    const after = given([[result('a', 'CampaignCancelled'), T0 + 2], [result('b', 'CampaignCancelled'), T0 + 3]], r.state);
    expect(after.transitions).toEqual(['Queued->Cancelled']);
    expect(after.events.at(-1)?.reason).toBe('every device was removed');
  });
});

describe('campaign lifecycle v2', () => {
  it('R-LC-2: an on-demand v2 campaign bypasses Queued, is InProgress once devices update, and Ends when every device is final', () => {
    const r = given([[schedule(['a', 'b'], v2), T0], [gateAnswer(true, true), T0], [decision('a'), T0], [decision('b'), T0], [result('a'), T0 + HOUR], [result('b'), T0 + 2 * HOUR]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Scheduled', 'Scheduled->InProgress', 'InProgress->Ended']);
  });

  it('R-LC-2, R-REQ-2: an on-demand v2 campaign ends one week after its start', () => {
    const r = given([[schedule(['a'], v2), T0], [gateAnswer(true, true), T0], [decision('a'), T0]]);
    expect(campaignActor.wakeAt(r.state)).toBe(T0 + 7 * 24 * HOUR);
    const ended = given([[wake, T0 + 7 * 24 * HOUR]], r.state);
    expect(ended.transitions).toEqual(['Scheduled->Ended']);
  });

  it('R-LC-2: a future v2 campaign is Queued until its start date, then Scheduled', () => {
    const startAt = T0 + 5 * HOUR;
    const req = { ...v2, schedule: { ...v2.schedule, kind: 'FUTURE' as const, startAt, endAt: startAt + 24 * HOUR } };
    const r = given([[schedule(['a'], req), T0], [gateAnswer(true, true), T0], [decision('a'), T0]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Queued']);
    expect(given([[wake, startAt]], r.state).transitions).toEqual(['Queued->Scheduled']);
  });

  it('R-LC-2, R-LC-3: a v2 campaign is aborted after its start; cancel is refused then, and abort is refused for v1', () => {
    const running = given([[schedule(['a', 'b'], v2), T0], [gateAnswer(true, true), T0], [decision('a'), T0], [decision('b'), T0], [result('a'), T0 + 1]]);
    expect(running.state.status).toBe('InProgress');
    const cancel = given([[command('CANCEL'), T0 + 2]], running.state);
    expect(cancel.answers[0]).toMatch(/use ABORT/);
    const aborted = given([[command('ABORT'), T0 + 2]], running.state);
    expect(aborted.transitions).toEqual(['InProgress->Aborted']);
    expect(aborted.controls).toEqual(['abort']);
    const v1Running = given([[schedule(['a']), T0], [decision('a'), T0]]);
    expect(given([[command('ABORT'), T0]], v1Running.state).answers[0]).toMatch(/ABORT applies to v2 campaigns/);
  });
});

describe('campaign requests', () => {
  it('R-REQ-1: a schedule hands its device list to a campaign part, which offers it', () => {
    const r = given([[schedule(['a', 'b', 'c']), T0]]);
    expect(r.parts).toEqual([expect.objectContaining({ type: 'members', part: 0, deviceIds: ['a', 'b', 'c'], offerNow: true })]);
    expect(r.answers).toEqual(['COMMAND_ACCEPTED: SCHEDULE: campaign requested']);
  });

  it('R-REQ-1: a large request comes in parts, in order, and is decided once every part is in', () => {
    const r = given([
      [schedule(['a', 'b'], v1, { parts: 2, deviceCount: 3 }), T0],
      [decision('a'), T0],
      [decision('b'), T0],
      [command('SCHEDULE', { part: 2, parts: 2, deviceIds: ['x'] }), T0],
      [command('SCHEDULE', { part: 1, parts: 2, deviceIds: ['c'] }), T0],
      [decision('c', 'DeviceRejected'), T0],
    ]);
    expect(r.answers[1]).toMatch(/expected SCHEDULE part 1, got part 2/);
    expect(r.parts.filter((p) => p.type === 'members').map((p) => p.part)).toEqual([0, 1]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress']);
    expect(r.state).toMatchObject({ accepted: 2, rejected: 1, offered: 3 });
  });

  it('R-REQ-3, R-REQ-5: retry out of range fails the request with the field named, never clamped', () => {
    const base = { deviceIds: ['a'], parts: 1, deviceCount: null };
    expect(requestProblem({ ...v1, retry: { attempts: 6, intervalMinutes: 5 } }, base)).toBe('retry.attempts must be 0–5, got 6');
    expect(requestProblem({ ...v1, retry: { attempts: 2, intervalMinutes: 0 } }, base)).toBe('retry.intervalMinutes must be 1–1440, got 0');
    expect(requestProblem({ ...v1, retry: { attempts: 5, intervalMinutes: 1440 } }, base)).toBeUndefined();
    expect(requestProblem({ ...v1, retry: { attempts: 0, intervalMinutes: 1 } }, base)).toBeUndefined();
    const r = given([[schedule(['a'], { ...v1, retry: { attempts: 9, intervalMinutes: 5 } }), T0]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.parts).toEqual([]);
  });

  it('R-REQ-1, R-REQ-5: an empty make, model, target or from-version, or a package a device could not fetch and verify, fails the request naming the field; nothing is offered', () => {
    const failures: [Partial<CampaignRequest>, string][] = [
      [{ make: '' }, 'make is empty'],
      [{ model: ' ' }, 'model is empty'],
      [{ targetVersion: '' }, 'targetVersion is empty'],
      [{ fromVersions: ['1.0', ''] }, 'fromVersions[1] is empty'],
      [{ package: { ...v1.package, sizeBytes: -4096 } }, 'package.sizeBytes must be a whole number of bytes above 0, got -4096'],
      [{ package: { ...v1.package, url: '' } }, 'package.url "" is not an http(s) URL'],
      [{ package: { ...v1.package, checksum: '' } }, 'package.checksum "" is not sha256:<64 hex digits> or sha512:<128 hex digits>'],
    ];
    for (const [extra, reason] of failures) {
      const r = given([[schedule(['a'], { ...v1, ...extra }), T0]]);
      expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
      expect(r.events.at(-1)?.reason).toBe(reason);
      expect(r.parts).toEqual([]);
    }
  });

  it('R-REQ-2, R-REQ-5: a start date more than 366 days ahead fails the request', () => {
    const r = given([[schedule(['a'], { ...v1, schedule: { ...v1.schedule, kind: 'FUTURE', startAt: T0 + 400 * 24 * HOUR } }), T0]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.events.at(-1)?.reason).toMatch(/^schedule\.startAt .* is more than 366 days after the request$/);
  });

  it('R-REQ-2, R-REQ-5: an HTTP request without dates fails, bypassing RequestPending (R-LC-2)', () => {
    const r = given([[schedule(['a'], { ...v2, schedule: { ...v2.schedule, kind: 'FUTURE' } }), T0]]);
    expect(r.transitions).toEqual(['null->RequestFailed']);
    expect(r.events.at(-1)?.reason).toMatch(/startAt/);
  });

  it('R-REQ-5: a campaign in which no device is accepted fails its request', () => {
    const r = given([[schedule(['a']), T0], [decision('a', 'DeviceRejected')]] as [CampaignInput, number][]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.events.at(-1)?.reason).toBe('no device was accepted');
  });

  it('R-REQ-4: a device named in two parts is decided once; the duplicate is not counted', () => {
    const r = given([
      [schedule(['a'], v1, { parts: 2, deviceCount: 2 }), T0],
      [command('SCHEDULE', { part: 1, parts: 2, deviceIds: ['a'] }), T0],
      [decision('a'), T0],
      [decision('a', 'Duplicate'), T0],
    ]);
    expect(r.events.filter((e) => e.type === 'DEVICE_DECISION')).toHaveLength(1);
    expect(r.state.status).toBe('InProgress');
  });

  it('R-LC-3: a command for an unknown campaign is refused with a reason and leaves no state behind', () => {
    const d = campaignActor.decide(campaignActor.initial('k1'), command('CANCEL'), T0);
    expect(d.state).toBeUndefined();
    expect((d.outputs[0]!.value as { reason: string }).reason).toBe('CANCEL: unknown campaign k1');
  });
});

describe('pilot gate of HTTP campaigns', () => {
  const many = Array.from({ length: 25 }, (_, i) => `d${i}`);

  it('R-PILOT-1: an HTTP campaign asks its make+model+target gate and offers nothing until it answers', () => {
    const asked = given([[schedule(many, v2), T0]]);
    expect(asked.parts).toEqual([expect.objectContaining({ type: 'members', offerNow: false })]);
    const opened = given([[gateAnswer(true), T0]], asked.state);
    expect(opened.parts).toEqual([expect.objectContaining({ type: 'offer', part: 0 })]);
    expect(given([[schedule(['a'], v1), T0]]).parts[0]).toMatchObject({ offerNow: true });
  });

  it('R-PILOT-2: an HTTP request over 20 devices fails with "pilot campaign required" while the gate is closed', () => {
    const r = given([[schedule(many, v2), T0], [gateAnswer(false), T0]]);
    expect(r.transitions).toEqual(['null->RequestPending', 'RequestPending->RequestFailed']);
    expect(r.events.at(-1)?.reason).toBe('pilot campaign required');
    expect(r.parts.map((p) => p.type)).toEqual(['members', 'control']);
    expect(given([[schedule(many, { ...v2, pilot: true }), T0]]).events.at(-1)?.reason).toMatch(/a pilot campaign may name at most 20 devices/);
  });

  it('R-PILOT-2: a pilot reports its accepted devices and results to its gate as they arrive', () => {
    const r = given([[schedule(['a', 'b'], v2), T0], [gateAnswer(true, true), T0], [decision('a'), T0], [decision('b'), T0], [result('a'), T0]]);
    const sent = campaignActor.decide(r.state, result('b', 'UpgradeFailed'), T0).outputs.filter((o) => o.topic === 'pilot-requests').map((o) => o.value);
    expect(sent).toEqual([expect.objectContaining({ type: 'progress', campaignId: 'k1', accepted: 2, succeeded: 1, failed: 1 })]);
  });
});

describe('campaign lifecycle invariants (properties)', () => {
  const inputs = fc.oneof(
    fc.constantFrom<CampaignInput>(
      command('CANCEL'),
      command('ABORT'),
      command('REMOVE_DEVICES', { deviceIds: ['a'] }),
      schedule(['a', 'b']),
      schedule(['a', 'b'], v2),
      decision('a'),
      decision('b', 'DeviceRejected'),
      result('a'),
      result('b', 'UpgradeFailed'),
      result('a', 'CampaignCancelled'),
    ),
    fc.constant<typeof wake>(wake),
  );
  const run = fc.array(fc.tuple(inputs, fc.integer({ min: 0, max: 30 * 24 * HOUR })), { maxLength: 40 });

  it('R-LC-3: no transition ever leaves a terminal state, and every transition is published from the state it left', () => {
    fc.assert(
      fc.property(run, (steps) => {
        let state = campaignActor.initial('k1');
        for (const [input, dt] of steps) {
          const before = state.status;
          const d = campaignActor.decide(state, input, T0 + dt);
          const next = d.state ?? campaignActor.initial('k1');
          const changes = d.outputs.filter((o) => o.topic === 'campaign-events' && (o.value as { type: string }).type === 'STATE_CHANGED').map((o) => o.value as { from: CampaignStatus | null; to: CampaignStatus });
          if (before !== null && terminal.has(before)) expect(changes).toEqual([]);
          if (changes.length > 0) {
            expect(changes[0]!.from).toBe(before);
            expect(changes.at(-1)!.to).toBe(next.status);
          } else expect(next.status).toBe(before);
          state = next;
        }
      }),
    );
  });

  it('R-LC-3: a refused command changes nothing', () => {
    fc.assert(
      fc.property(run, fc.constantFrom<CommandType>('CANCEL', 'ABORT', 'REMOVE_DEVICES', 'ENABLE_VERBOSE_LOGGING'), (steps, type) => {
        let state = campaignActor.initial('k1');
        for (const [input, dt] of steps) state = campaignActor.decide(state, input, T0 + dt).state ?? campaignActor.initial('k1');
        const d = campaignActor.decide(state, command(type, { deviceIds: [] }), T0);
        const refused = d.outputs.some((o) => (o.value as { type: string }).type === 'COMMAND_REFUSED');
        if (refused) {
          expect(d.outputs).toHaveLength(1);
          expect(d.state ?? campaignActor.initial('k1')).toEqual(state);
        }
      }),
    );
  });
});

describe('dynamic campaigns', () => {
  const until = T0 + HOUR;
  const dynamic = (request: CampaignRequest = v1): CampaignRequest => ({ ...request, dynamic: true, schedule: { ...request.schedule, endAt: until } });
  const mqtt: CampaignRequest = { ...v1, api: 'V2', protocol: 'MQTT' };
  const joins = (deviceId: string): CampaignInput => ({ kind: 'decision', decision: { type: 'decision', campaignId: 'k1', deviceId, status: 'Accepted', detail: 'x', cellId: 'c1', cellLimit: 10, dynamic: true, at: 0 } });
  const catalog = (steps: Parameters<typeof given>[0]) => given(steps).catalog;
  const dynamicParts = (from: number) => Array.from({ length: DYNAMIC_PARTS }, (_, i) => from + i);

  it('R-SAFE-5: a dynamic campaign of no listed device starts, publishes its terms to the catalog, counts each device that joined as a member of the dynamic part its id hashes to, and releases it', () => {
    const start = given([[schedule([], dynamic()), T0]]);
    expect(start.transitions).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress']);
    expect(catalog([[schedule([], dynamic()), T0]])).toEqual([{ type: 'open', campaignId: 'k1', terms: expect.objectContaining({ make: 'Acme', model: 'S1', fromVersions: ['1.0'], targetVersion: '2.0' }), endAt: until, at: T0 }]);

    const r = given([[schedule([], dynamic()), T0], [joins('x'), T0 + 1]]);
    const part = 1 + dynamicPart('x');
    expect(r.parts.slice(1)).toEqual([
      { type: 'add', campaignId: 'k1', part, deviceId: 'x', at: T0 + 1 },
      { type: 'release', campaignId: 'k1', part, wave: 0, count: 1, at: T0 + 1 },
    ]);
    expect(r.state).toMatchObject({ status: 'InProgress', deviceCount: 1, offered: 1, accepted: 1, joined: 1 });
    expect(r.events.filter((e) => e.type === 'DEVICE_DECISION').map((e) => e.reason)).toEqual(['joined dynamically: checked in as a Acme S1 at one of 1.0, free of other tasks']);
  });

  it('R-SAFE-5: a dynamic campaign does not end when its devices are final, but at its end date, telling its dynamic parts and withdrawing its catalog record', () => {
    const steps: Parameters<typeof given>[0] = [[schedule(['a'], dynamic()), T0], [decision('a'), T0], [joins('x'), T0 + 1], [result('a'), T0 + 2], [result('x'), T0 + 3]];
    expect(given(steps).state).toMatchObject({ status: 'InProgress', succeeded: 2 });
    expect(campaignActor.wakeAt(given(steps).state)).toBe(until);
    const ended = given([...steps, [wake, until]]);
    expect(ended.transitions.at(-1)).toBe('InProgress->Finished');
    expect(ended.parts.filter((p) => p.type === 'control').map((p) => p.part)).toEqual([0, ...dynamicParts(1)]);
    expect(catalog([...steps, [wake, until]]).map((c) => c.type)).toEqual(['open', 'closed']);
  });

  it('R-SAFE-5, R-SAFE-1: however a started dynamic campaign ends — aborted by the operator or by its criteria — its catalog record is closed; one cancelled before its start never opened', () => {
    const abort = catalog([[schedule([], dynamic(mqtt)), T0], [command('ABORT'), T0 + 1]]);
    expect(abort.at(-1)).toEqual({ type: 'closed', campaignId: 'k1', reason: 'aborted by user', at: T0 + 1 });
    const criteria: CampaignRequest = { ...dynamic(mqtt), abortCriteria: [{ failureKind: 'FAILED', thresholdPercent: 50, minFinished: 1 }] };
    const failing: Parameters<typeof given>[0] = [[schedule([], criteria), T0], [joins('x'), T0 + 1], [result('x', 'UpgradeFailed'), T0 + 2]];
    expect(given(failing).controls.slice(-DYNAMIC_PARTS)).toEqual(Array.from({ length: DYNAMIC_PARTS }, () => 'halt'));
    expect(catalog(failing).at(-1)).toMatchObject({ type: 'closed', reason: expect.stringMatching(/^abort criteria met/) });
    const future = dynamic({ ...mqtt, schedule: { ...mqtt.schedule, kind: 'FUTURE', startAt: T0 + HOUR / 2 } });
    expect(catalog([[schedule([], future), T0], [command('CANCEL'), T0 + 1]])).toEqual([]);
  });

  it('R-SAFE-5, R-PILOT-1: a dynamic HTTP campaign of no listed device waits for its gate, asked as for an unbounded campaign, before it starts', () => {
    const http = dynamic({ ...v1, api: 'V2', protocol: 'HTTP' });
    const asked = given([[schedule([], http), T0]]);
    expect(asked.transitions).toEqual(['null->RequestPending']);
    expect(asked.catalog).toEqual([]);
    const open = given([[schedule([], http), T0], [gateAnswer(true), T0 + 1]]);
    expect(open.transitions).toEqual(['null->RequestPending', 'RequestPending->Scheduled']);
    expect(open.catalog.map((c) => c.type)).toEqual(['open']);
    expect(given([[schedule([], http), T0], [gateAnswer(false), T0 + 1]]).transitions.at(-1)).toBe('RequestPending->RequestFailed');
  });

  it('R-SAFE-5: a device that joined after the campaign ended (its catalog was behind) is a member told at once what the others were told', () => {
    const r = given([[schedule([], dynamic()), T0], [wake, until], [joins('y'), until + 1]]);
    const part = 1 + dynamicPart('y');
    expect(r.parts.slice(-2)).toEqual([
      { type: 'add', campaignId: 'k1', part, deviceId: 'y', at: until + 1 },
      { type: 'control', campaignId: 'k1', part, action: 'end', at: until + 1 },
    ]);
    expect(r.state).toMatchObject({ status: 'Finished', accepted: 1, joined: 1 });
  });
});
