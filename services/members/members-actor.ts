import type { PartMessage } from '../../contracts/campaign-parts.ts';
import type { ControlAction, OfferTerms } from '../../contracts/common.ts';
import type { Publish } from '../../contracts/index.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';

/**
 * The campaign-part actor (key: `campaignId/part`) holds one part of a campaign's device
 * list. It offers the campaign to those devices once the campaign says so, and relays
 * start, cancel, abort, end and removal to them; offers and controls go out on the one
 * topic the device actor reads, in order.
 */
export interface PartState {
  readonly campaignId: string;
  readonly part: number;
  readonly deviceIds: readonly string[];
  readonly terms: OfferTerms | null;
  readonly offered: boolean;
}

export type MembersOutput = Publish<'device-campaign'>;

type D = Decision<PartState, MembersOutput>;

export const membersActor: ActorType<PartState, PartMessage, MembersOutput> = {
  name: 'members',
  initial: (key) => {
    const slash = key.lastIndexOf('/');
    return { campaignId: key.slice(0, slash), part: Number(key.slice(slash + 1)), deviceIds: [], terms: null, offered: false };
  },
  wakeAt: () => undefined,
  decide(state, input, now): D {
    if ('kind' in input) return { state, outputs: [] };
    switch (input.type) {
      case 'members': {
        // A repeated part (the campaign re-sent it) changes nothing.
        if (state.terms) return { state, outputs: [] };
        const s = { ...state, deviceIds: input.deviceIds, terms: input.terms };
        return input.offerNow ? offerAll(s, now) : { state: s, outputs: [] };
      }
      case 'offer':
        return state.terms && !state.offered ? offerAll(state, now) : { state, outputs: [] };
      case 'control':
        if (!state.offered) return { state: undefined, outputs: [] };
        return { state: input.action === 'start' ? state : undefined, outputs: state.deviceIds.map((d) => control(state, d, input.action, now)) };
      case 'remove': {
        const removing = new Set(input.deviceIds);
        const mine = state.deviceIds.filter((d) => removing.has(d));
        if (mine.length === 0) return { state, outputs: [] };
        const s = { ...state, deviceIds: state.deviceIds.filter((d) => !removing.has(d)) };
        return { state: s, outputs: state.offered ? mine.map((d) => control(state, d, 'remove', now)) : [] };
      }
    }
  },
};

function offerAll(state: PartState, now: number): D {
  const outputs = state.deviceIds.map((deviceId): MembersOutput => ({ topic: 'device-campaign', key: deviceId, value: { type: 'offer', campaignId: state.campaignId, deviceId, ...state.terms!, at: now } }));
  return { state: { ...state, offered: true }, outputs };
}

function control(state: PartState, deviceId: string, action: ControlAction, now: number): MembersOutput {
  return { topic: 'device-campaign', key: deviceId, value: { type: 'control', campaignId: state.campaignId, deviceId, action, at: now } };
}
