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

  it('R-SAFE-2, R-SAFE-3: starts as many devices of the released wave as the campaign releases, in list order, never one it was told to skip', () => {
    const waved: PartMessage = { ...members(['a', 'b', 'c', 'd', 'e']), waves: [0, 1, 0, 0, 1] } as PartMessage;
    const release = (wave: number, count: number): PartMessage => ({ type: 'release', campaignId: 'k1', part: 0, wave, count, at: 4 });
    const skip = (deviceId: string): PartMessage => ({ type: 'skip', campaignId: 'k1', part: 0, deviceId, at: 4 });
    part.given().when(waved).then((outputs) => expect(sentTo<Offer>('device-campaign', outputs).map((o) => [o.deviceId, o.part, o.wave])).toEqual([['a', 0, 0], ['b', 0, 1], ['c', 0, 0], ['d', 0, 0], ['e', 0, 1]]));
    part.given([waved, skip('c')]).when(release(0, 2)).then((outputs) => expect(told(outputs)).toEqual(['start:a', 'start:d']));
    part.given([waved, release(0, 1)]).when(release(0, 5)).then((outputs) => expect(told(outputs)).toEqual(['start:c', 'start:d']));
    part.given([waved, release(0, 1)]).when(release(1, 1)).then((outputs) => expect(told(outputs)).toEqual(['start:b']));
    // A decision that came after its device was released: its start goes to the wave's next device.
    part.given([waved, release(0, 1)]).when(skip('a')).then((outputs) => expect(told(outputs)).toEqual(['start:c']));
    part.given([waved, release(0, 3)]).when(skip('a')).then([]);
  });

  it('R-SAFE-1: relays halt to every device of the part and forgets it', () => {
    part.given([members(['a', 'b'])]).when({ type: 'control', campaignId: 'k1', part: 0, action: 'halt', at: 3 }).then((outputs, state) => {
      expect(told(outputs)).toEqual(['halt:a', 'halt:b']);
      expect(state).toBeUndefined();
    });
  });

  it('R-SAFE-5: a dynamic part takes the devices that joined at a check-in, once each, starts them as released and relays the campaign\'s controls to them', () => {
    const add = (deviceId: string): PartMessage => ({ type: 'add', campaignId: 'k1', part: 0, deviceId, at: 2 });
    const release: PartMessage = { type: 'release', campaignId: 'k1', part: 0, wave: 0, count: 5, at: 3 };
    part.given().when(add('a')).then([]);
    part.given([add('a'), add('a')]).when(release).then((outputs) => expect(told(outputs)).toEqual(['start:a']));
    part.given([add('a'), release, add('b')]).when(release).then((outputs) => expect(told(outputs)).toEqual(['start:b']));
    part.given([add('a'), release, add('b')]).when({ type: 'control', campaignId: 'k1', part: 0, action: 'end', at: 4 }).then((outputs, state) => {
      expect(told(outputs)).toEqual(['end:a', 'end:b']);
      expect(state).toBeUndefined();
    });
  });

  it('R-PILOT-2: a part held back is offered only when released', () => {
    part.given().when(members(['a'], false)).then([]);
    part.given([members(['a'], false)]).when({ type: 'offer', campaignId: 'k1', part: 0, at: 3 }).then((outputs) => expect(told(outputs)).toEqual(['offer:a']));
  });
});
