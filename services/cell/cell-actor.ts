import type { ActorType, Decision, Output } from '../runtime/actor.ts';
import { cellLimit, defaultRadioRanges, type RadioRanges } from './cell-limit.ts';
import type { CellEvent, CellGrant, CellRequest } from './messages.ts';

/**
 * The cell actor (key: cellId) hands out upgrade tokens. R-CELL-3: a token is held from
 * package delivery until the device's result; the next waiting device, in arrival
 * order, gets it. R-CELL-2: the limit is that of the latest radio report, and a lowered
 * limit only delays new grants, it never revokes held tokens.
 */
export interface Holder {
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly since: number;
}

export interface CellState {
  readonly cellId: string;
  readonly limit: number;
  readonly held: readonly Holder[];
  readonly waiting: readonly Holder[];
  readonly peak: number;
  readonly grants: number;
}

const same = (a: { deviceId: string; campaignId: string; attempt: number }, b: typeof a) =>
  a.deviceId === b.deviceId && a.campaignId === b.campaignId && a.attempt === b.attempt;

export function cellActor(ranges: RadioRanges = defaultRadioRanges): ActorType<CellState, CellRequest> {
  return {
    name: 'cell',
    initial: (cellId) => ({ cellId, limit: 0, held: [], waiting: [], peak: 0, grants: 0 }),
    wakeAt: () => undefined,
    decide(state, input, now) {
      // A cell never asks to be woken: tokens come back through releases and timeouts of the devices.
      if ('kind' in input) return { state, outputs: [] };
      return input.type === 'acquire' ? acquire(state, input, now, ranges) : release(state, input, now);
    },
  };
}

function acquire(state: CellState, req: Extract<CellRequest, { type: 'acquire' }>, now: number, ranges: RadioRanges): Decision<CellState> {
  const limited = { ...state, limit: cellLimit(req.radio, ranges) };
  const holder = state.held.find((h) => same(h, req));
  if (holder) {
    // A repeated request (the device retried its step): confirm the token it holds.
    return { state: limited, outputs: [grantOutput(limited, holder, now)] };
  }
  if (state.waiting.some((w) => same(w, req))) return grantWhilePossible(limited, now, []);
  const queued: Holder = { deviceId: req.deviceId, campaignId: req.campaignId, attempt: req.attempt, since: now };
  const next = { ...limited, waiting: [...limited.waiting, queued] };
  return grantWhilePossible(next, now, [event(next, 'queued', queued, now)]);
}

function release(state: CellState, req: Extract<CellRequest, { type: 'release' }>, now: number): Decision<CellState> {
  const holder = state.held.find((h) => same(h, req));
  if (holder) {
    const next = { ...state, held: state.held.filter((h) => h !== holder) };
    return grantWhilePossible(next, now, [event(next, 'released', holder, now)]);
  }
  // Released while still queued (timeout, cancel): it leaves the queue.
  return { state: { ...state, waiting: state.waiting.filter((w) => !same(w, req)) }, outputs: [] };
}

function grantWhilePossible(state: CellState, now: number, outputs: Output[]): Decision<CellState> {
  let s = state;
  while (s.held.length < s.limit && s.waiting.length > 0) {
    const [first, ...rest] = s.waiting;
    const holder = { ...first!, since: now };
    const held = [...s.held, holder];
    s = { ...s, held, waiting: rest, peak: Math.max(s.peak, held.length), grants: s.grants + 1 };
    outputs.push(grantOutput(s, holder, now), event(s, 'granted', holder, now));
  }
  return { state: s, outputs };
}

function grantOutput(state: CellState, h: Holder, at: number): Output {
  const grant: CellGrant = { type: 'grant', cellId: state.cellId, deviceId: h.deviceId, campaignId: h.campaignId, attempt: h.attempt, limit: state.limit, at };
  return { topic: 'cell-grants', key: h.deviceId, value: grant };
}

function event(state: CellState, type: CellEvent['type'], h: Holder, at: number): Output {
  const e: CellEvent = {
    type,
    cellId: state.cellId,
    deviceId: h.deviceId,
    campaignId: h.campaignId,
    limit: state.limit,
    inUse: state.held.length,
    waiting: state.waiting.length,
    at,
  };
  return { topic: 'cell-events', key: state.cellId, value: e };
}
