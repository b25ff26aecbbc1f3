import { describe, expect, it } from 'vitest';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { SharedValues } from '../runtime/state-store.ts';
import { packedDeviceStates } from './packed-state.ts';
import type { Offer } from '../../contracts/device-campaign.ts';
import type { DeviceState, UpgradeTask } from './task.ts';

const task: UpgradeTask = {
  campaignId: 'k1',
  attempt: 2,
  offer,
  step: 'awaitToken',
  deadline: 1_780_000_123_456,
  cellId: 'c1',
  fromVersion: '1.0',
  bytesDownloaded: 1024,
  lastPushAt: 1_780_000_000_001,
  repushes: 1,
  lastCause: 'Connection lost during downloading process',
  halted: false,
};
const state: DeviceState = { deviceId: 'd1', profile, task, logging: 'collecting' };
const { type: _type, campaignId: _campaignId, deviceId: _deviceId, at: _at, ...terms } = offer;

function packer() {
  const packing = packedDeviceStates();
  const shared = new SharedValues();
  const shares: string[] = [];
  const pack = (s: DeviceState, key = s.deviceId) =>
    packing.pack(key, s, (id, value) => {
      shares.push(id);
      shared.put(id, value);
    });
  const unpack = (key: string, packed: string) => packing.unpack(key, packed, shared.get);
  return { packing, pack, unpack, shares };
}

describe('packed device states (issue 11)', () => {
  it('unpacks to the state it packed, its task keeping the campaign terms of its offer', () => {
    const { pack, unpack } = packer();
    expect(unpack('d1', pack(state))).toEqual({ ...state, task: { ...task, offer: terms } });
    const bare: DeviceState = { deviceId: 'd1', profile: { ...profile, radio: { cellId: 'c9', rsrp: -97.5, sinr: null }, connected: false }, task: { ...task, deadline: null, cellId: null, fromVersion: null, lastPushAt: null, lastCause: undefined, halted: undefined }, logging: 'off' };
    const { lastCause: _l, halted: _h, ...plainTask } = bare.task!;
    expect(unpack('d1', pack(bare))).toEqual({ ...bare, task: { ...plainTask, offer: terms } });
    expect(unpack('d2', pack({ deviceId: 'd2', profile: null, task: null, logging: 'requested' }))).toEqual({ deviceId: 'd2', profile: null, task: null, logging: 'requested' });
  });

  it('keeps a campaign’s terms once: the devices of a campaign refer to one shared value and unpack to one object', () => {
    const { pack, unpack, shares } = packer();
    // As onOffer keeps them: each device's own offer.
    const offerTo = (deviceId: string, part?: number): Offer => ({ ...offer, deviceId, ...(part === undefined ? {} : { part }) });
    const a = unpack('a', pack({ ...state, deviceId: 'a', profile: { ...profile, deviceId: 'a' }, task: { ...task, offer: offerTo('a') } }));
    const b = unpack('b', pack({ ...state, deviceId: 'b', profile: { ...profile, deviceId: 'b' }, task: { ...task, offer: offerTo('b', 3) } }));
    expect(new Set(shares).size).toBe(1);
    expect(a.task!.offer).toBe(b.task!.offer);
    // Packed again after a step, the unpacked terms keep their id.
    pack({ ...a, task: { ...a.task!, step: 'download' } });
    expect(new Set(shares).size).toBe(1);
  });

  it('gives terms that changed a new id, so no state of the earlier ones takes them', () => {
    const { pack, shares } = packer();
    pack(state);
    pack({ ...state, task: { ...task, offer: { ...offer, targetVersion: '3.0' } } });
    expect(new Set(shares).size).toBe(2);
  });

  it('packs a device accepted into a campaign into a short string', () => {
    const { pack } = packer();
    expect(pack({ ...state, task: { ...task, step: 'scheduled', deadline: null, lastCause: undefined, halted: undefined } }).length).toBeLessThan(120);
  });

  it('R-SAFE-5, R-SAFE-6: packs the dynamic campaigns a device took and when its attempt was granted its cell token, not as JSON', () => {
    const { pack, unpack, shares } = packer();
    const joinedOffer: Offer = { ...offer, dynamic: true };
    const joined: DeviceState = { ...state, dynamic: [{ campaignId: 'dyn-1', endAt: 1_780_086_400_000 }, { campaignId: 'dyn-2', endAt: 1_780_172_800_000 }], task: { ...task, step: 'download', grantedAt: 1_780_000_100_000, offer: joinedOffer } };
    const packed = pack(joined);
    expect(packed[0]).not.toBe('J');
    expect(unpack('d1', packed)).toEqual({ ...joined, task: { ...joined.task!, offer: terms } });
    // A joiner's terms are its campaign's, shared with the devices of the list.
    pack(state);
    expect(new Set(shares).size).toBe(1);
    const none: DeviceState = { ...state, dynamic: [] };
    expect(unpack('d1', pack(none))).toEqual({ ...none, task: { ...task, offer: terms } });
    const odd: DeviceState = { ...state, dynamic: [{ campaignId: 'a\u001eb', endAt: 1 }] };
    expect(pack(odd)[0]).toBe('J');
  });

  it('writes a state its layout does not cover as JSON, whole', () => {
    const { pack, unpack } = packer();
    const odd = { ...state, profile: { ...profile, make: 'Ac\u001fme' } };
    expect(unpack('d1', pack(odd))).toEqual(odd);
    const extra = { ...state, task: { ...task, newField: 7 } } as DeviceState;
    expect(unpack('d1', pack(extra))).toEqual(extra);
  });

  it('R-RES-4: reads a device state its changelog holds from before states were packed (its JSON alone), and its wake-up time', () => {
    const { packing, unpack } = packer();
    expect(unpack('d1', JSON.stringify(state))).toEqual(state);
    expect(packing.wakeAt(JSON.stringify(state))).toBe(task.deadline);
  });

  it('reads the wake-up time from the packed state alone', () => {
    const { pack, packing } = packer();
    expect(packing.wakeAt(pack(state))).toBe(task.deadline);
    expect(packing.wakeAt(pack({ ...state, task: null }))).toBeUndefined();
    expect(packing.wakeAt(pack({ ...state, profile: { ...profile, make: 'Ac\u001fme' } }))).toBe(task.deadline);
  });
});
