import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import type { PilotAnswer } from '../../contracts/pilot-answers.ts';
import type { PilotEvent } from '../../contracts/pilot-events.ts';
import type { PilotRequest } from '../../contracts/pilot-requests.ts';
import { pilotActor, type PilotState } from './pilot-actor.ts';

const KEY = 'Acme|S1|2.0';
const gate = (campaignId: string, deviceCount: number): PilotRequest => ({ type: 'gate', campaignId, make: 'Acme', model: 'S1', targetVersion: '2.0', deviceCount, at: 0 });
const progress = (campaignId: string, accepted: number, succeeded: number, failed = 0): PilotRequest => ({ type: 'progress', campaignId, accepted, succeeded, failed, at: 0 });

function given(inputs: PilotRequest[], start: PilotState = pilotActor.initial(KEY)) {
  let state = start;
  const outputs: Output[] = [];
  for (const i of inputs) {
    const d = pilotActor.decide(state, i, 1);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  return {
    state,
    answers: outputs.filter((o) => o.topic === 'pilot-answers').map((o) => o.value as PilotAnswer),
    events: outputs.filter((o) => o.topic === 'pilot-events').map((o) => o.value as PilotEvent),
  };
}

describe('pilot gate', () => {
  it('R-PILOT-1: pilots of at most 20 devices always run, any number of them; larger campaigns wait for the gate', () => {
    const r = given([gate('p1', 20), gate('p2', 5), gate('big', 21)]);
    expect(r.answers.map((a) => [a.campaignId, a.open, a.pilot])).toEqual([
      ['p1', true, true],
      ['p2', true, true],
      ['big', false, false],
    ]);
  });

  it('R-PILOT-2: the gate opens once a pilot of at least 5 accepted devices reaches 50 % success, counted as results arrive', () => {
    const r = given([gate('p1', 4), progress('p1', 4, 4), gate('p2', 10), progress('p2', 10, 4), progress('p2', 10, 5)]);
    expect(r.events.filter((e) => e.type === 'gate-opened').map((e) => e.campaignId)).toEqual(['p2']);
    expect(r.state.open).toBe(true);
    expect(given([gate('big', 5000)], r.state).answers).toEqual([expect.objectContaining({ open: true, pilot: false })]);
  });

  it('R-PILOT-2: once open, the gate stays open whatever later pilots do', () => {
    const opened = given([gate('p1', 6), progress('p1', 6, 3)]);
    const later = given([gate('p2', 8), progress('p2', 8, 0, 8)], opened.state);
    expect(later.state.open).toBe(true);
  });

  it('R-PILOT-3: every pilot progress is published with its rate and the gate state', () => {
    const r = given([gate('p1', 10), progress('p1', 10, 3, 1)]);
    expect(r.events).toEqual([expect.objectContaining({ type: 'pilot-progress', campaignId: 'p1', accepted: 10, succeeded: 3, failed: 1, rate: 0.3, gateOpen: false })]);
    expect(given([progress('not-a-pilot', 10, 10)]).events).toEqual([]);
  });
});
