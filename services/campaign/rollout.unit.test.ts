import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CampaignCommand, CampaignRequest, RateLimit, Wave } from '../../contracts/campaign-commands.ts';
import type { PartMessage } from '../../contracts/campaign-parts.ts';
import type { CampaignEvent } from '../../contracts/campaign-events.ts';
import { campaignActor as campaignActorUnder, requestProblem, type CampaignInput, type CampaignState } from './campaign-actor.ts';
import { estimateCompletion } from './estimate.ts';
import { MINUTE, nextRoomAt, rateInForce, room } from './rate.ts';
import { abortReason, cellsOf, countCell, newRollout, rolloutProblem, wavesOf } from './rollout.ts';
import { rolloutOf } from '../../contracts/campaign-commands.ts';
import { v1Request } from '../../test/support/campaign-fixtures.ts';
import { OPEN_POLICY } from './command-policy.ts';

const campaignActor = campaignActorUnder(OPEN_POLICY);

const T0 = Date.UTC(2026, 5, 10, 15, 30);
const request: CampaignRequest = { ...v1Request, retry: null };
const rollout = (changes: Partial<CampaignRequest> = {}) => rolloutOf({ ...request, ...changes });

describe('rollout deciders', () => {
  it('R-SAFE-1: abort criteria apply from their minimum of finished devices and tell FAILED, TIMED_OUT and ANY apart, naming the criterion', () => {
    const failed = [{ failureKind: 'FAILED' as const, thresholdPercent: 20, minFinished: 200 }];
    expect(abortReason(failed, { succeeded: 138, failed: 62, timedOut: 0 })).toBe('abort criteria met: 31 % of 200 finished devices failed, threshold 20 %');
    expect(abortReason(failed, { succeeded: 130, failed: 62, timedOut: 0 })).toBeUndefined();
    // 40 of the 62 failures were timeouts: 11 % failed as FAILED counts them.
    expect(abortReason(failed, { succeeded: 138, failed: 62, timedOut: 40 })).toBeUndefined();
    expect(abortReason([{ failureKind: 'TIMED_OUT', thresholdPercent: 10, minFinished: 1 }], { succeeded: 9, failed: 1, timedOut: 1 })).toBe('abort criteria met: 10 % of 10 finished devices timed out, threshold 10 %');
    expect(abortReason([{ failureKind: 'TIMED_OUT', thresholdPercent: 10, minFinished: 1 }], { succeeded: 9, failed: 1, timedOut: 0 })).toBeUndefined();
    expect(abortReason([{ failureKind: 'ANY', thresholdPercent: 50, minFinished: 2 }], { succeeded: 1, failed: 1, timedOut: 1 })).toBe('abort criteria met: 50 % of 2 finished devices failed or timed out, threshold 50 %');
  });

  it('R-SAFE-1, R-SAFE-2, R-SAFE-3, R-SAFE-5, R-REQ-5: rollout parameters that cannot work fail the request, naming the field', () => {
    const cmd = { deviceIds: ['a'], parts: 1, deviceCount: null };
    const problem = (changes: Partial<CampaignRequest>) => requestProblem({ ...request, ...changes }, cmd);
    expect(problem({ abortCriteria: [{ failureKind: 'ANY', thresholdPercent: 120, minFinished: 1 }] })).toBe('abortCriteria[0].thresholdPercent must be 0–100, got 120');
    expect(problem({ rate: { maxPerMinute: 0, ramp: null } })).toBe('rate.maxPerMinute must be a whole number of at least 1, got 0');
    expect(problem({ rate: { maxPerMinute: 10, ramp: { basePerMinute: 20, factor: 2, every: 5, counting: 'NOTIFIED' } } })).toBe('rate.ramp.basePerMinute must be 1–10, got 20');
    expect(problem({ rate: { maxPerMinute: 10, ramp: { basePerMinute: 2, factor: 1, every: 5, counting: 'NOTIFIED' } } })).toBe('rate.ramp.factor must be above 1 and at most 10, got 1');
    const w = (percent: number | null, deviceIds: string[] = []): Wave => ({ percent, deviceIds, successThresholdPercent: 90 });
    expect(problem({ waves: [w(60), w(50)] })).toBe('waves: the percentages add up to 110, more than 100');
    expect(problem({ waves: [w(60), w(null, ['a'])] })).toBe('waves: a wave is given by percent or by device list, and all waves of a campaign alike');
    expect(problem({ waves: [w(10)], manualNextWave: true })).toBe('manualNextWave: the campaign has no second wave to wait for');
    expect(problem({ waves: [w(10), w(90)], manualNextWave: true })).toBeUndefined();
    const until = { ...request.schedule, endAt: Date.UTC(2026, 6, 1) };
    expect(problem({ dynamic: true })).toBe('schedule.endAt: a dynamic campaign needs an end date (devices join it until then)');
    expect(problem({ dynamic: true, schedule: until, waves: [w(50), w(50)] })).toBe('dynamic: a dynamic campaign runs in one wave (devices join it at any time); give no waves');
    expect(problem({ dynamic: true, schedule: until, pilot: true })).toBe('pilot: a dynamic campaign has no bound on its devices, so it cannot be a pilot');
    expect(problem({ dynamic: true, schedule: until, rate: { maxPerMinute: 10, ramp: null }, abortCriteria: [{ failureKind: 'ANY', thresholdPercent: 20, minFinished: 5 }] })).toBeUndefined();
    // A dynamic campaign may name no device at all: they join as they check in.
    expect(requestProblem({ ...request, dynamic: true, schedule: until }, { deviceIds: [], parts: 1, deviceCount: null })).toBeUndefined();
    expect(requestProblem(request, { deviceIds: [], parts: 1, deviceCount: null })).toBe('deviceIds: the request names no device');
    // A request written before rollouts has none of the fields: no cap, one wave, no criteria.
    expect(rolloutProblem(rolloutOf(request))).toBeUndefined();
    expect(rolloutOf(request)).toEqual({ abortCriteria: [], rate: null, waves: [], manualNextWave: false, dynamic: false });
  });

  it('R-SAFE-3: devices fall into waves by their place in the whole list, or by the first list naming them (the rest in the last wave)', () => {
    const byPercent = rollout({ waves: [10, 30].map((percent) => ({ percent, deviceIds: [], successThresholdPercent: 0 })) });
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    // The 60 % no wave names are in the last one; a part's devices count from its place in the whole list.
    expect([...wavesOf(byPercent, ids.slice(0, 5), 0, 10), ...wavesOf(byPercent, ids.slice(5), 5, 10)]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const three = rollout({ waves: [10, 30, 60].map((percent) => ({ percent, deviceIds: [], successThresholdPercent: 0 })) });
    expect(wavesOf(three, ids, 0, 10)).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    const byList = rollout({ waves: [{ percent: null, deviceIds: ['d3', 'd1'], successThresholdPercent: 0 }, { percent: null, deviceIds: ['d1', 'd2'], successThresholdPercent: 0 }, { percent: null, deviceIds: [], successThresholdPercent: 0 }] });
    expect(wavesOf(byList, ['d0', 'd1', 'd2', 'd3'], 0, 4)).toEqual([2, 0, 1, 0]);
  });

  it('R-SAFE-2: the rate in force follows the ramp up to the cap; room is what the last 60 seconds leave', () => {
    const rate: RateLimit = { maxPerMinute: 100, ramp: { basePerMinute: 10, factor: 3, every: 50, counting: 'SUCCEEDED' } };
    expect([0, 49, 50, 100, 150, 10_000].map((succeeded) => rateInForce(rate, { notified: 0, succeeded }))).toEqual([10, 10, 30, 90, 100, 100]);
    expect(rateInForce(null, { notified: 5, succeeded: 5 })).toBeNull();
    const window = [{ at: T0, n: 60 }, { at: T0 + 30_000, n: 30 }];
    expect(room(window, T0 + 59_999, 100)).toBe(10);
    expect(room(window, T0 + MINUTE, 100)).toBe(70);
    expect(nextRoomAt(window)).toBe(T0 + MINUTE);
    expect(nextRoomAt([])).toBeUndefined();
    expect(room(window, T0, null)).toBe(Infinity);
  });

  it('R-SAFE-6: the estimate is the slowest cell at its observed pace, or the devices still to release at the rate, plus a hold time per wave to go', () => {
    const base = { now: T0 + 10 * MINUTE, startedAt: T0, unreleased: 0, ratePerMinute: null, wavesLeft: 0, endAt: null };
    // Cell a: limit 1, 5 of 10 done by now, 2 min apart → 10 min left; cell b: limit 10, none done yet;
    // cell c: its first round of 5 came together, which says nothing about the hold time yet.
    const cells = [['a', { accepted: 10, finals: 5, limit: 1, firstFinalAt: T0 + 2 * MINUTE, lastFinalAt: T0 + 10 * MINUTE }], ['b', { accepted: 25, finals: 0, limit: 10 }], ['c', { accepted: 12, finals: 5, limit: 5, firstFinalAt: T0 + 9 * MINUTE, lastFinalAt: T0 + 9 * MINUTE }]] as const;
    expect(estimateCompletion({ ...base, cells: [cells[1]] })).toBeUndefined();
    const e = estimateCompletion({ ...base, cells })!;
    // b: 3 rounds of its 10 tokens at the observed 2-minute hold = 6 min; a: 10 min.
    expect(e.at).toBe(T0 + 20 * MINUTE);
    expect(e.reason).toBe('5 devices left in the slowest cell a; a round of tokens about 2.0 min');
    expect(estimateCompletion({ ...base, cells, unreleased: 30, ratePerMinute: 2 })!.at).toBe(T0 + 10 * MINUTE + 17 * MINUTE);
    expect(estimateCompletion({ ...base, cells, wavesLeft: 2 })!.at).toBe(T0 + 24 * MINUTE);
    expect(estimateCompletion({ ...base, cells, endAt: T0 + 15 * MINUTE })!.at).toBe(T0 + 15 * MINUTE);
  });

  it('R-SAFE-6: before any cell shows two rounds, the token hold times the devices reported set the pace, not the time since the first release', () => {
    const base = { now: T0 + 10 * MINUTE, startedAt: T0, unreleased: 0, ratePerMinute: null, wavesLeft: 0, endAt: null };
    // Cell a: limit 1, its first device held the token 1 min after 9 min of queries: 24 left take 24 × 1 min.
    const first = { accepted: 25, finals: 1, limit: 1, firstFinalAt: T0 + 10 * MINUTE, lastFinalAt: T0 + 10 * MINUTE };
    expect(estimateCompletion({ ...base, cells: [['a', first]] })!.at).toBe(T0 + 10 * MINUTE + 24 * 10 * MINUTE);
    const measured = estimateCompletion({ ...base, cells: [['a', { ...first, held: 1, heldMs: MINUTE }]] })!;
    expect(measured.at).toBe(T0 + 34 * MINUTE);
    expect(measured.reason).toBe('24 devices left in the slowest cell a; a round of tokens about 60.0 s');
    // Cell b reported none yet: it takes the median of the measured holds.
    const b = ['b', { accepted: 30, finals: 0, limit: 10 }] as const;
    expect(estimateCompletion({ ...base, cells: [['a', { ...first, held: 1, heldMs: MINUTE }], ['c', { accepted: 3, finals: 3, limit: 10, firstFinalAt: T0, lastFinalAt: T0, held: 3, heldMs: 9 * MINUTE }], b] })!.at).toBe(T0 + 34 * MINUTE);
  });

  it('R-SAFE-6: a cell counts its results, the time between them and the token hold times its devices reported, as means weighted to the latest', () => {
    let r = countCell(newRollout(v1Request), 'c1', { accepted: 4, limit: 1 });
    for (const [at, heldMs] of [[T0, 900], [T0 + 1_000, 800], [T0 + 3_000, null], [T0 + 3_500, 300]] as const) r = countCell(r, 'c1', { finalAt: at, heldMs });
    const c = cellsOf(r).get('c1')!;
    expect(c).toMatchObject({ accepted: 4, finals: 4, limit: 1, firstFinalAt: T0, lastFinalAt: T0 + 3_500, held: 3 });
    // Gaps 1000, 2000, 500: 1000 → 1200 → 1060; holds 900, 800, 300: 900 → 880 → 764.
    expect(c.gapMs).toBeCloseTo(1_060);
    expect(c.heldMs).toBeCloseTo(764);
  });

  it('R-SAFE-6: the length of a round comes from every cell working through rounds; one cell\'s first two results weigh as one round against sixteen of the common one', () => {
    const base = { now: T0 + 4_000, startedAt: T0, unreleased: 0, ratePerMinute: null, wavesLeft: 0, endAt: null };
    // Three limit-1 cells of 25: a's first two results came 2 s apart, b's and c's five came 0.5 s apart.
    const steady = { accepted: 25, finals: 5, limit: 1, firstFinalAt: T0 + 1_000, lastFinalAt: T0 + 3_000 };
    const a = { accepted: 25, finals: 2, limit: 1, firstFinalAt: T0 + 1_000, lastFinalAt: T0 + 3_000 };
    const e = estimateCompletion({ ...base, cells: [['a', a], ['b', steady], ['c', steady]] })!;
    // a: 23 left at (1 × 2 s + 16 × 0.5 s) / 17 ≈ 0.59 s a round, from its last result at 3 s; alone at its own pace it would say 49 s.
    expect(e.at).toBe(T0 + 3_000 + Math.round((23 * 10_000) / 17));
    expect(e.reason).toBe('23 devices left in the slowest cell a; a round of tokens about 0.5 s');
  });
});

/**
 * The campaign actor with a model of its parts and devices: parts start, in list order, as many
 * accepted devices of the released wave as each release says (members-actor.ts); started devices
 * end with the result the run gives them. Every start is recorded with its time and wave, and
 * each wave's results as the devices gave them, apart from the campaign's own counts.
 */
interface Step {
  readonly kind: 'advance' | 'result' | 'pause' | 'resume';
  readonly ms: number;
  readonly success: boolean;
}

function simulate(devices: number, parts: number, changes: Partial<CampaignRequest>, accepted: readonly boolean[], steps: readonly Step[]) {
  const ids = Array.from({ length: devices }, (_, i) => `d${i}`);
  const per = Math.ceil(devices / parts);
  let state: CampaignState = campaignActor.initial('k1');
  let now = T0;
  const waveOf = new Map<string, number>();
  const partOf = new Map<string, number>();
  const cursor = new Map<string, number>();
  const starts: { at: number; wave: number; paused: boolean; id: string }[] = [];
  const running: string[] = [];
  const finals: { id: string; wave: number; success: boolean; at: number }[] = [];
  const events: CampaignEvent[] = [];
  const decide = (input: CampaignInput | { kind: 'wake'; at: number }) => {
    const before = state.status;
    const d = campaignActor.decide(state, input, now);
    state = d.state ?? state;
    for (const o of d.outputs) {
      if (o.topic === 'campaign-events') events.push(o.value as CampaignEvent);
      if (o.topic !== 'campaign-parts') continue;
      const m = o.value as PartMessage;
      if (m.type === 'members') m.deviceIds.forEach((id, i) => (waveOf.set(id, m.waves?.[i] ?? 0), partOf.set(id, m.part)));
      if (m.type !== 'release') continue;
      const mine = ids.filter((id, i) => partOf.get(id) === m.part && waveOf.get(id) === m.wave && accepted[i]);
      const from = cursor.get(`${m.part}/${m.wave}`) ?? 0;
      for (const id of mine.slice(from, from + m.count)) {
        starts.push({ at: now, wave: m.wave, paused: before === 'Paused' && input.kind !== 'command', id });
        running.push(id);
      }
      cursor.set(`${m.part}/${m.wave}`, from + m.count);
    }
  };
  const command = (type: CampaignCommand['type'], extra: Partial<CampaignCommand> = {}): CampaignInput => ({ kind: 'command', command: { commandId: `${type}-${now}`, campaignId: 'k1', type, request: null, deviceIds: [], part: 0, parts: 1, deviceCount: null, at: now, ...extra } });
  for (let p = 0; p * per < devices; p++) {
    decide(command('SCHEDULE', { request: p === 0 ? { ...request, ...changes } : null, deviceIds: ids.slice(p * per, (p + 1) * per), part: p, parts: Math.ceil(devices / per), deviceCount: devices }));
  }
  ids.forEach((id, i) => decide({ kind: 'decision', decision: { type: 'decision', campaignId: 'k1', deviceId: id, status: accepted[i] ? 'Accepted' : 'DeviceRejected', detail: 'x', part: partOf.get(id)!, wave: waveOf.get(id)!, at: now } }));
  for (const step of steps) {
    if (step.kind === 'advance') {
      const target = now + step.ms;
      for (let at = campaignActor.wakeAt(state); at !== undefined && at <= target; at = campaignActor.wakeAt(state)) {
        now = Math.max(now, at);
        decide({ kind: 'wake', at });
      }
      now = target;
    } else if (step.kind === 'result' && running.length > 0) {
      const id = running.shift()!;
      finals.push({ id, wave: waveOf.get(id)!, success: step.success, at: now });
      decide({ kind: 'result', result: { campaignId: 'k1', deviceId: id, attempt: 1, status: step.success ? 'UpgradeSuccess' : 'UpgradeFailed', detail: 'x', cause: step.success ? null : 'Firmware update failed', cellId: 'c1', fromVersion: '1.0', toVersion: '2.0', at: now } });
    } else if (step.kind === 'pause') decide(command('PAUSE'));
    else if (step.kind === 'resume') decide(command('RESUME'));
  }
  return { starts, finals, events, state, acceptedIds: ids.filter((_, i) => accepted[i]), waveOf };
}

const stepArb = (kinds: Step['kind'][]) => fc.record({ kind: fc.constantFrom(...kinds), ms: fc.integer({ min: 0, max: 3 * MINUTE }), success: fc.boolean() });

describe('rollout invariants (property-based)', () => {
  it('R-SAFE-4: a paused campaign starts no device, whatever the rate, the waves and the order of results, pauses and resumes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }), fc.array(stepArb(['advance', 'result', 'pause', 'resume']), { maxLength: 80 }), (devices, parts, cap, steps) => {
        const accepted = Array.from({ length: devices }, (_, i) => i % 5 !== 3);
        const run = simulate(devices, parts, { rate: cap === null ? null : { maxPerMinute: cap, ramp: null } }, accepted, steps);
        expect(run.starts.filter((s) => s.paused)).toEqual([]);
        expect(new Set(run.starts.map((s) => s.id)).size).toBe(run.starts.length);
      }),
      { numRuns: 300 },
    );
  });

  it('R-SAFE-2: the devices started in any 60 seconds never exceed the cap, with or without a ramp', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.record({ basePerMinute: fc.integer({ min: 1, max: 3 }), factor: fc.double({ min: 1.1, max: 4, noNaN: true }), every: fc.integer({ min: 1, max: 6 }), counting: fc.constantFrom<'NOTIFIED' | 'SUCCEEDED'>('NOTIFIED', 'SUCCEEDED') }), { nil: null }),
        fc.array(stepArb(['advance', 'result', 'pause', 'resume']), { maxLength: 80 }),
        (devices, parts, cap, ramp, steps) => {
          const maxPerMinute = Math.max(cap, ramp?.basePerMinute ?? 1);
          const run = simulate(devices, parts, { rate: { maxPerMinute, ramp } }, acceptedAll(devices), steps);
          for (const s of run.starts) expect(run.starts.filter((t) => t.at <= s.at && t.at > s.at - MINUTE).length).toBeLessThanOrEqual(maxPerMinute);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('R-SAFE-3: no device of wave n+1 starts before every accepted device of wave n is final with its success threshold met', () => {
    let laterWaves = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ percent: fc.integer({ min: 1, max: 40 }), threshold: fc.integer({ min: 0, max: 100 }) }), { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        fc.array(stepArb(['advance', 'result']), { maxLength: 120 }),
        (devices, parts, plan, capped, steps) => {
          const waves: Wave[] = plan.map((w) => ({ percent: w.percent, deviceIds: [], successThresholdPercent: w.threshold }));
          const accepted = Array.from({ length: devices }, (_, i) => i % 7 !== 2);
          const run = simulate(devices, parts, { waves, rate: capped ? { maxPerMinute: 3, ramp: null } : null }, accepted, steps);
          for (let w = 1; w < waves.length; w++) {
            const first = run.starts.find((s) => s.wave === w);
            if (!first) continue;
            laterWaves++;
            const previous = run.acceptedIds.filter((id) => run.waveOf.get(id) === w - 1);
            const done = run.finals.filter((f) => f.wave === w - 1 && f.at <= first.at);
            expect(done.length).toBe(previous.length);
            const succeeded = done.filter((f) => f.success).length;
            expect(done.length === 0 || (100 * succeeded) / done.length >= waves[w - 1]!.successThresholdPercent).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: many runs reached a later wave.
    expect(laterWaves).toBeGreaterThan(50);
  });
});

const acceptedAll = (n: number) => Array.from({ length: n }, () => true);
