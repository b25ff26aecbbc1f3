import { describe, expect, it } from 'vitest';
import { offer } from '../../test/support/device-fixtures.ts';
import type { CampaignControl, Offer, OfferTerms } from '../device/messages.ts';
import { membersActor, type PartState } from './members-actor.ts';
import type { PartMessage } from './messages.ts';

const { type: _t, campaignId: _c, deviceId: _d, at: _a, ...terms } = offer;
const members = (deviceIds: string[], offerNow = true): PartMessage => ({ type: 'members', campaignId: 'k1', part: 0, deviceIds, terms: terms as OfferTerms, offerNow, at: 1 });

function given(inputs: PartMessage[], start: PartState | undefined = membersActor.initial('k1/0')) {
  let state: PartState | undefined = start;
  const sent: (Offer | CampaignControl)[] = [];
  for (const input of inputs) {
    const d = membersActor.decide(state ?? membersActor.initial('k1/0'), input, 2);
    state = d.state;
    sent.push(...d.outputs.map((o) => o.value as Offer | CampaignControl));
  }
  return { state, sent, summary: sent.map((m) => `${m.type === 'offer' ? 'offer' : m.action}:${m.deviceId}`) };
}

describe('campaign part actor', () => {
  it('R-REQ-1: offers the campaign to every device of its part, once', () => {
    const r = given([members(['a', 'b']), members(['a', 'b'])]);
    expect(r.summary).toEqual(['offer:a', 'offer:b']);
    expect(membersActor.initial('campaign/with/slashes/12')).toMatchObject({ campaignId: 'campaign/with/slashes', part: 12 });
  });

  it('R-LC-1: relays start to its devices and forgets the part once the campaign is over', () => {
    const r = given([members(['a', 'b']), { type: 'control', campaignId: 'k1', part: 0, action: 'start', at: 3 }]);
    expect(r.summary).toEqual(['offer:a', 'offer:b', 'start:a', 'start:b']);
    expect(r.state).toBeDefined();
    const over = given([{ type: 'control', campaignId: 'k1', part: 0, action: 'cancel', at: 4 }], r.state);
    expect(over.summary).toEqual(['cancel:a', 'cancel:b']);
    expect(over.state).toBeUndefined();
  });

  it('R-LC-1: removes only the named devices it holds, and tells them', () => {
    const r = given([members(['a', 'b', 'c']), { type: 'remove', campaignId: 'k1', part: 0, deviceIds: ['b', 'z'], at: 3 }, { type: 'control', campaignId: 'k1', part: 0, action: 'start', at: 4 }]);
    expect(r.summary).toEqual(['offer:a', 'offer:b', 'offer:c', 'remove:b', 'start:a', 'start:c']);
  });

  it('R-PILOT-2: a part held back is offered only when released', () => {
    const held = given([members(['a'], false)]);
    expect(held.sent).toEqual([]);
    expect(given([{ type: 'offer', campaignId: 'k1', part: 0, at: 3 }], held.state).summary).toEqual(['offer:a']);
  });
});
