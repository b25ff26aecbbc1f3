import type { PartMessage } from '../../contracts/campaign-parts.ts';
import type { ControlAction, OfferTerms } from '../../contracts/common.ts';
import type { Publish } from '../../contracts/index.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';

/**
 * The campaign-part actor (key: `campaignId/part`) holds one part of a campaign's device
 * list. It offers the campaign to those devices once the campaign says so, starts as many of
 * them as the campaign releases (R-SAFE-2/3/4: so many of one wave, in list order, never one the
 * campaign said to skip), and relays cancel, abort, halt, end and removal to them; offers and
 * controls go out on the one topic the device actor reads, in order. A dynamic part (R-SAFE-5)
 * has no list of its own to offer: devices that took the campaign at a check-in are added to it.
 */
export interface PartState {
  readonly campaignId: string;
  readonly part: number;
  readonly deviceIds: readonly string[];
  readonly terms: OfferTerms | null;
  readonly offered: boolean;
  /** R-SAFE-3: each device's wave, in list order (absent: all in wave 0). */
  readonly waves?: readonly number[];
  /** Per wave, the list position from which its next device to start is looked for. */
  readonly cursor?: readonly number[];
  /** Devices the campaign said not to start (rejected, or named twice). */
  readonly skipped?: readonly string[];
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
        const s = { ...state, deviceIds: input.deviceIds, terms: input.terms, ...(input.waves ? { waves: input.waves } : {}) };
        return input.offerNow ? offerAll(s, now) : { state: s, outputs: [] };
      }
      case 'offer':
        return state.terms && !state.offered ? offerAll(state, now) : { state, outputs: [] };
      case 'release':
        return state.offered ? startNext(state, input.wave, input.count, now) : { state, outputs: [] };
      case 'skip':
        return skip(state, input.deviceId, now);
      case 'add':
        // R-SAFE-5: the device took the offer at its check-in; it starts when the campaign releases it.
        return { state: state.deviceIds.includes(input.deviceId) ? state : { ...state, deviceIds: [...state.deviceIds, input.deviceId], offered: true }, outputs: [] };
      case 'control':
        if (!state.offered) return { state: undefined, outputs: [] };
        // `start` releases every device at once (a campaign part written before releases existed).
        if (input.action === 'start') return startNext(state, null, Infinity, now);
        return { state: undefined, outputs: state.deviceIds.map((d) => control(state, d, input.action, now)) };
      case 'remove': {
        const removing = new Set(input.deviceIds);
        const mine = state.deviceIds.filter((d) => removing.has(d));
        if (mine.length === 0) return { state, outputs: [] };
        const s = { ...state, deviceIds: state.deviceIds.filter((d) => !removing.has(d)), ...(state.waves ? { waves: state.waves.filter((_, i) => !removing.has(state.deviceIds[i]!)) } : {}) };
        return { state: s, outputs: state.offered ? mine.map((d) => control(state, d, 'remove', now)) : [] };
      }
    }
  },
};

const waveAt = (s: PartState, i: number) => s.waves?.[i] ?? 0;

/** Starts up to `count` devices of `wave` (null: of every wave) not started or skipped yet, in list order. */
function startNext(state: PartState, wave: number | null, count: number, now: number): D {
  const skipped = new Set(state.skipped ?? []);
  const cursor = [...(state.cursor ?? [])];
  const outputs: MembersOutput[] = [];
  for (let i = 0; i < state.deviceIds.length && outputs.length < count; i++) {
    const w = waveAt(state, i);
    if ((wave !== null && w !== wave) || i < (cursor[w] ?? 0)) continue;
    cursor[w] = i + 1;
    if (!skipped.has(state.deviceIds[i]!)) outputs.push(control(state, state.deviceIds[i]!, 'start', now));
  }
  return { state: { ...state, cursor: Array.from(cursor, (c) => c ?? 0) }, outputs };
}

/**
 * A device not to start. If it was started already (its decision reached the campaign after the
 * release), the start it took goes to the wave's next device, so the part starts exactly as many
 * devices as the campaign released.
 */
function skip(state: PartState, deviceId: string, now: number): D {
  const i = state.deviceIds.indexOf(deviceId);
  if (i < 0 || state.skipped?.includes(deviceId)) return { state, outputs: [] };
  const s = { ...state, skipped: [...(state.skipped ?? []), deviceId] };
  const w = waveAt(state, i);
  return i < (state.cursor?.[w] ?? 0) ? startNext(s, w, 1, now) : { state: s, outputs: [] };
}

function offerAll(state: PartState, now: number): D {
  const outputs = state.deviceIds.map((deviceId, i): MembersOutput => ({
    topic: 'device-campaign',
    key: deviceId,
    value: { type: 'offer', campaignId: state.campaignId, deviceId, ...state.terms!, part: state.part, wave: waveAt(state, i), at: now },
  }));
  return { state: { ...state, offered: true }, outputs };
}

function control(state: PartState, deviceId: string, action: ControlAction, now: number): MembersOutput {
  return { topic: 'device-campaign', key: deviceId, value: { type: 'control', campaignId: state.campaignId, deviceId, action, at: now } };
}
