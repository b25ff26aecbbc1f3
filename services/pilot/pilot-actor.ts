import type { ActorType, Decision, Output } from '../runtime/actor.ts';
import { PILOT_MAX_DEVICES, PILOT_MIN_DEVICES, PILOT_MIN_SUCCESS_RATE, type PilotAnswer, type PilotEvent, type PilotRequest } from './messages.ts';

/**
 * The pilot gate (key: make|model|targetVersion) of HTTP campaigns. R-PILOT-1: until the
 * gate opens, only pilots of at most 20 devices run, as many as needed. R-PILOT-2: it
 * opens once one pilot of at least 5 accepted devices reaches a success rate of 50 %
 * (successes / accepted, counted as results arrive), and then stays open.
 */
export interface PilotCounts {
  readonly accepted: number;
  readonly succeeded: number;
  readonly failed: number;
}

export interface PilotState {
  readonly key: string;
  readonly make: string;
  readonly model: string;
  readonly targetVersion: string;
  readonly open: boolean;
  readonly pilots: Readonly<Record<string, PilotCounts>>;
}

export const successRate = (c: PilotCounts) => (c.accepted === 0 ? 0 : c.succeeded / c.accepted);
const opens = (c: PilotCounts) => c.accepted >= PILOT_MIN_DEVICES && successRate(c) >= PILOT_MIN_SUCCESS_RATE;

export const pilotActor: ActorType<PilotState, PilotRequest> = {
  name: 'pilot',
  initial: (key) => {
    const [make = '', model = '', targetVersion = ''] = key.split('|');
    return { key, make, model, targetVersion, open: false, pilots: {} };
  },
  wakeAt: () => undefined,
  decide(state, input, now): Decision<PilotState> {
    if ('kind' in input) return { state, outputs: [] };
    if (input.type === 'gate') {
      const pilot = input.deviceCount <= PILOT_MAX_DEVICES;
      const s = pilot ? { ...state, pilots: { ...state.pilots, [input.campaignId]: state.pilots[input.campaignId] ?? { accepted: 0, succeeded: 0, failed: 0 } } } : state;
      const answer: PilotAnswer = { type: 'gate-answer', campaignId: input.campaignId, open: pilot || state.open, pilot, at: now };
      return { state: s, outputs: [{ topic: 'pilot-answers', key: input.campaignId, value: answer }] };
    }
    if (!state.pilots[input.campaignId]) return { state, outputs: [] };
    const counts: PilotCounts = { accepted: input.accepted, succeeded: input.succeeded, failed: input.failed };
    const open = state.open || opens(counts);
    const s = { ...state, open, pilots: { ...state.pilots, [input.campaignId]: counts } };
    const outputs = [event(s, 'pilot-progress', input.campaignId, counts, now)];
    if (open && !state.open) outputs.push(event(s, 'gate-opened', input.campaignId, counts, now));
    return { state: s, outputs };
  },
};

function event(s: PilotState, type: PilotEvent['type'], campaignId: string, c: PilotCounts, at: number): Output {
  const value: PilotEvent = { type, key: s.key, make: s.make, model: s.model, targetVersion: s.targetVersion, campaignId, ...c, rate: successRate(c), gateOpen: s.open, at };
  return { topic: 'pilot-events', key: s.key, value };
}
