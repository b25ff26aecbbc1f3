import type { Publish } from '../../contracts/index.ts';
import type { PilotEvent } from '../../contracts/pilot-events.ts';
import type { PilotRequest } from '../../contracts/pilot-requests.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';

export const PILOT_MAX_DEVICES = 20;
export const PILOT_MIN_DEVICES = 5;
export const PILOT_MIN_SUCCESS_RATE = 0.5;

export type PilotOutput = Publish<'pilot-answers' | 'pilot-events'>;

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

export const pilotActor: ActorType<PilotState, PilotRequest, PilotOutput> = {
  name: 'pilot',
  initial: (key) => {
    const [make = '', model = '', targetVersion = ''] = key.split('|');
    return { key, make, model, targetVersion, open: false, pilots: {} };
  },
  wakeAt: () => undefined,
  decide(state, input, now): Decision<PilotState, PilotOutput> {
    if ('kind' in input) return { state, outputs: [] };
    if (input.type === 'gate') {
      const pilot = input.deviceCount <= PILOT_MAX_DEVICES;
      const s = pilot ? { ...state, pilots: { ...state.pilots, [input.campaignId]: state.pilots[input.campaignId] ?? { accepted: 0, succeeded: 0, failed: 0 } } } : state;
      return { state: s, outputs: [{ topic: 'pilot-answers', key: input.campaignId, value: { type: 'gate-answer', campaignId: input.campaignId, open: pilot || state.open, pilot, at: now } }] };
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

function event(s: PilotState, type: PilotEvent['type'], campaignId: string, c: PilotCounts, at: number): PilotOutput {
  return { topic: 'pilot-events', key: s.key, value: { type, key: s.key, make: s.make, model: s.model, targetVersion: s.targetVersion, campaignId, ...c, rate: successRate(c), gateOpen: s.open, at } };
}
