import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import type { VerboseControl } from '../../contracts/device-campaign.ts';
import type { VerboseEvent } from '../../contracts/verbose-events.ts';
import type { VerboseRequest } from '../../contracts/verbose-requests.ts';
import { AUTO_OFF_MS, FETCHABLE_AFTER_MS, PURGE_AFTER_MS, verboseActor, type VerboseState } from './verbose-actor.ts';

const T0 = Date.UTC(2026, 5, 1);
const command = (type: 'enable' | 'disable' | 'fetch', deviceIds: string[]): VerboseRequest => ({ type, commandId: `${type}-c`, campaignId: 'k1', deviceIds, at: 0 });
const devices = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `d${i + from}`);

function given(steps: [VerboseRequest | { kind: 'wake'; at: number }, number][], start: VerboseState = verboseActor.initial('fleet')) {
  let state = start;
  const outputs: Output[] = [];
  for (const [input, now] of steps) {
    const d = verboseActor.decide(state, input, now);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  return {
    state,
    answers: outputs.filter((o) => o.topic === 'campaign-events').map((o) => o.value as { type: string; reason: string }),
    toDevices: outputs.filter((o) => o.topic === 'device-campaign').map((o) => o.value as VerboseControl),
    events: outputs.filter((o) => o.topic === 'verbose-events').map((o) => o.value as VerboseEvent),
  };
}

describe('verbose logging', () => {
  it('R-LOG-1: at most 20 devices at a time; a request past the budget is refused whole, with the numbers', () => {
    const r = given([[command('enable', devices(15)), T0], [command('enable', devices(6, 15)), T0]]);
    expect(r.answers.map((a) => a.type)).toEqual(['COMMAND_ACCEPTED', 'COMMAND_REFUSED']);
    expect(r.answers[1]!.reason).toBe('ENABLE_VERBOSE_LOGGING: verbose logging is limited to 20 devices at a time; 15 are on and 6 more were asked for');
    expect(r.toDevices).toHaveLength(15);
    const freed = given([[command('disable', ['d0']), T0], [command('enable', devices(7, 15)), T0]], r.state);
    expect(freed.answers.map((a) => a.type)).toEqual(['COMMAND_ACCEPTED', 'COMMAND_REFUSED']);
    expect(given([[command('enable', devices(6, 15)), T0]], freed.state).answers[0]!.type).toBe('COMMAND_ACCEPTED');
  });

  it('R-LOG-1: logging turns itself off after 7 days', () => {
    const on = given([[command('enable', ['d1']), T0]]);
    expect(verboseActor.wakeAt(on.state)).toBe(T0 + AUTO_OFF_MS);
    const off = given([[{ kind: 'wake', at: 0 }, T0 + AUTO_OFF_MS]], on.state);
    expect(off.toDevices).toEqual([expect.objectContaining({ deviceId: 'd1', on: false })]);
    expect(off.events[0]).toMatchObject({ type: 'off', offAt: T0 + AUTO_OFF_MS });
  });

  it('R-LOG-1: logs can be fetched 24 h after collection starts at the next check-in, and are purged after 30 days', () => {
    const collectingAt = T0 + 3_600_000;
    const r = given([[command('enable', ['d1']), T0], [{ type: 'collecting', deviceId: 'd1', at: collectingAt }, collectingAt]]);
    expect(r.events.at(-1)).toMatchObject({ type: 'collecting', fetchableAt: collectingAt + FETCHABLE_AFTER_MS, purgeAt: collectingAt + PURGE_AFTER_MS });
    const early = given([[command('fetch', ['d1']), collectingAt + FETCHABLE_AFTER_MS - 1]], r.state);
    expect(early.answers[0]).toMatchObject({ type: 'COMMAND_REFUSED' });
    expect(early.answers[0]!.reason).toMatch(/d1's logs can be fetched from 2026-06-02T01:00:00.000Z/);
    expect(given([[command('fetch', ['d1']), collectingAt + FETCHABLE_AFTER_MS]], r.state).answers[0]!.type).toBe('COMMAND_ACCEPTED');
    const afterOff = given([[{ kind: 'wake', at: 0 }, T0 + AUTO_OFF_MS]], r.state);
    expect(verboseActor.wakeAt(afterOff.state)).toBe(collectingAt + PURGE_AFTER_MS);
    const purged = given([[{ kind: 'wake', at: 0 }, collectingAt + PURGE_AFTER_MS]], afterOff.state);
    expect(purged.events.map((e) => e.type)).toEqual(['purged']);
    expect(purged.state.sessions).toEqual({});
  });
});
