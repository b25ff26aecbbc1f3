import { describe, expect, it } from 'vitest';
import { offer } from '../../test/support/device-fixtures.ts';
import { sentTo, spec } from '../../test/support/decider-spec.ts';
import type { Output } from '../runtime/actor.ts';
import type { CampaignControl, Offer } from '../../contracts/device-campaign.ts';
import type { OfferTerms } from '../../contracts/common.ts';
import { membersActor } from './members-actor.ts';
import type { PartMessage } from '../../contracts/campaign-parts.ts';

const { type: _t, campaignId: _c, deviceId: _d, at: _a, ...terms } = offer;
const members = (deviceIds: string[], offerNow = true): PartMessage => ({ type: 'members', campaignId: 'k1', part: 0, deviceIds, terms: terms as OfferTerms, offerNow, at: 1 });
const control = (action: 'start' | 'cancel'): PartMessage => ({ type: 'control', campaignId: 'k1', part: 0, action, at: 3 });
const part = spec(membersActor, 'k1/0');

/** What the part told its devices, as `offer:a`, `start:a`, … */
const told = (outputs: readonly Output[]) => sentTo<Offer | CampaignControl>('device-campaign', outputs).map((m) => `${m.type === 'offer' ? 'offer' : m.action}:${m.deviceId}`);

describe('campaign part actor', () => {
  it('R-REQ-1: offers the campaign to every device of its part, once', () => {
    part.given().when(members(['a', 'b'])).then((outputs) => expect(told(outputs)).toEqual(['offer:a', 'offer:b']));
    part.given([members(['a', 'b'])]).when(members(['a', 'b'])).thenNothingHappened();
    expect(membersActor.initial('campaign/with/slashes/12')).toMatchObject({ campaignId: 'campaign/with/slashes', part: 12 });
  });

  it('R-LC-1: relays start to its devices and forgets the part once the campaign is over', () => {
    part.given([members(['a', 'b'])]).when(control('start')).then((outputs, state) => {
      expect(told(outputs)).toEqual(['start:a', 'start:b']);
      expect(state).toBeDefined();
    });
    part.given([members(['a', 'b']), control('start')]).when(control('cancel')).then((outputs, state) => {
      expect(told(outputs)).toEqual(['cancel:a', 'cancel:b']);
      expect(state).toBeUndefined();
    });
  });

  it('R-LC-1: removes only the named devices it holds, and tells them', () => {
    const remove: PartMessage = { type: 'remove', campaignId: 'k1', part: 0, deviceIds: ['b', 'z'], at: 3 };
    const { state } = part.given([members(['a', 'b', 'c'])]).when(remove).then((outputs) => expect(told(outputs)).toEqual(['remove:b']));
    part.given(state).when(control('start')).then((outputs) => expect(told(outputs)).toEqual(['start:a', 'start:c']));
  });

  it('R-PILOT-2: a part held back is offered only when released', () => {
    part.given().when(members(['a'], false)).then([]);
    part.given([members(['a'], false)]).when({ type: 'offer', campaignId: 'k1', part: 0, at: 3 }).then((outputs) => expect(told(outputs)).toEqual(['offer:a']));
  });
});
