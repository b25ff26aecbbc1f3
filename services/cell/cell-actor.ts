import type { CellEvent } from '../../contracts/cell-events.ts';
import type { CellRequest } from '../../contracts/cell-requests.ts';
import type { Publish } from '../../contracts/index.ts';
import type { ActorType, Decision, Piece, StatePieces } from '../runtime/actor.ts';
import { cellLimit, defaultRadioRanges, type RadioRanges } from './cell-limit.ts';
import { dequeue, emptyQueue, enqueue, isWaiting, queueSize, remove, restoreQueue, type WaitingQueue } from './waiting-queue.ts';

/**
 * The cell actor (key: cellId) hands out upgrade tokens. R-CELL-3: a token is held from
 * package delivery until the device's result; the next waiting device, in arrival
 * order, gets it. R-CELL-2: the limit is that of the latest radio report, and a lowered
 * limit only delays new grants, it never revokes held tokens.
 *
 * A dense NB-IoT cell has tens of thousands of devices waiting, so the queue is not one record:
 * the changelog holds each waiting device and each held token as a piece of its own, beside a
 * small piece of the cell's counters, and a decision writes only the pieces it changed (cellPieces).
 */
export interface Holder {
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly since: number;
  /** A held token's number, that of its place in the queue: it names the token's piece of the changelog. */
  readonly slot?: number;
}

export interface CellState {
  readonly cellId: string;
  readonly limit: number;
  /** At most the limit in force when each was granted: 50 at the most. */
  readonly held: readonly Holder[];
  readonly waiting: WaitingQueue<Holder>;
  readonly peak: number;
  readonly grants: number;
  /** Queue pieces changed since the state was last written, newest first. */
  readonly journal: Journal | null;
}

interface Journal {
  readonly piece: Piece;
  readonly before: Journal | null;
}

export type CellOutput = Publish<'cell-grants' | 'cell-events'>;

type D = Decision<CellState, CellOutput>;

/** One device's attempt: a device retrying takes a new place in the queue. */
const idOf = (h: { deviceId: string; campaignId: string; attempt: number }) => `${h.deviceId}\u0000${h.campaignId}\u0000${h.attempt}`;

export const waitingCount = (s: CellState): number => queueSize(s.waiting);

export function cellActor(ranges: RadioRanges = defaultRadioRanges): ActorType<CellState, CellRequest, CellOutput> {
  return {
    name: 'cell',
    initial: (cellId) => ({ cellId, limit: 0, held: [], waiting: emptyQueue(), peak: 0, grants: 0, journal: null }),
    wakeAt: () => undefined,
    pieces: cellPieces,
    decide(state, input, now) {
      // A cell never asks to be woken: tokens come back through releases and timeouts of the devices.
      if ('kind' in input) return { state, outputs: [] };
      return input.type === 'acquire' ? acquire(state, input, now, ranges) : release(state, input, now);
    },
  };
}

function acquire(state: CellState, req: Extract<CellRequest, { type: 'acquire' }>, now: number, ranges: RadioRanges): D {
  const limited = { ...state, limit: cellLimit(req.radio, ranges) };
  const id = idOf(req);
  const holder = state.held.find((h) => idOf(h) === id);
  if (holder) {
    // A repeated request (the device retried its step): confirm the token it holds.
    return { state: limited, outputs: [grantOutput(limited, holder, now)] };
  }
  if (isWaiting(state.waiting, id)) return grantWhilePossible(limited, now, []);
  const queued: Holder = { deviceId: req.deviceId, campaignId: req.campaignId, attempt: req.attempt, since: now };
  const { queue, number } = enqueue(limited.waiting, id, queued);
  const next = { ...limited, waiting: queue, journal: noted(limited.journal, waitingPiece(number), queued) };
  return grantWhilePossible(next, now, [event(next, 'queued', queued, now)]);
}

function release(state: CellState, req: Extract<CellRequest, { type: 'release' }>, now: number): D {
  const id = idOf(req);
  const holder = state.held.find((h) => idOf(h) === id);
  if (holder) {
    const next = { ...state, held: state.held.filter((h) => h !== holder), journal: noted(state.journal, heldPiece(holder), undefined) };
    return grantWhilePossible(next, now, [event(next, 'released', holder, now)]);
  }
  // Released while still queued (timeout, cancel): it leaves the queue.
  const left = remove(state.waiting, id);
  if (!left) return { state, outputs: [] };
  return { state: { ...state, waiting: left.queue, journal: noted(state.journal, waitingPiece(left.number), undefined) }, outputs: [] };
}

function grantWhilePossible(state: CellState, now: number, outputs: CellOutput[]): D {
  let s = state;
  while (s.held.length < s.limit) {
    const first = dequeue(s.waiting, idOf);
    if (!first) break;
    const holder: Holder = { ...first.item, since: now, slot: first.number };
    const held = [...s.held, holder];
    const journal = noted(noted(s.journal, waitingPiece(first.number), undefined), heldPiece(holder), holder);
    s = { ...s, held, waiting: first.queue, peak: Math.max(s.peak, held.length), grants: s.grants + 1, journal };
    outputs.push(grantOutput(s, holder, now), event(s, 'granted', holder, now));
  }
  return { state: s, outputs };
}

const noted = (journal: Journal | null, piece: string, holder: Holder | undefined): Journal => ({ piece: { piece, value: holder }, before: journal });
const waitingPiece = (number: number) => `w${number}`;
const heldPiece = (h: Holder) => `h${h.slot}`;

function grantOutput(state: CellState, h: Holder, at: number): CellOutput {
  return { topic: 'cell-grants', key: h.deviceId, value: { type: 'grant', cellId: state.cellId, deviceId: h.deviceId, campaignId: h.campaignId, attempt: h.attempt, limit: state.limit, at } };
}

function event(state: CellState, type: CellEvent['type'], h: Holder, at: number): CellOutput {
  return {
    topic: 'cell-events',
    key: state.cellId,
    value: { type, cellId: state.cellId, deviceId: h.deviceId, campaignId: h.campaignId, limit: state.limit, inUse: state.held.length, waiting: waitingCount(state), at },
  };
}

/** The piece of the cell's counters: everything but the waiting devices and the held tokens. */
interface Tokens {
  readonly limit: number;
  readonly peak: number;
  readonly grants: number;
  readonly head: number;
  readonly tail: number;
  /** Written before held tokens were pieces of their own: read, never written. */
  readonly held?: readonly Holder[];
}

const TOKENS = 'tokens';

/**
 * The counters piece, rewritten with each decision (some 60 bytes), and the waiting devices and
 * held tokens that changed: a decision's cost does not grow with the tokens a cell holds.
 */
export const cellPieces: StatePieces<CellState> = {
  flush(state) {
    // An entry is queued once and leaves once: one queued and gone since the last write is not written at all.
    const newest = new Map<string, Piece>();
    const queuedHere = new Set<string>();
    for (let j = state.journal; j; j = j.before) {
      if (!newest.has(j.piece.piece)) newest.set(j.piece.piece, j.piece);
      if (j.piece.value !== undefined) queuedHere.add(j.piece.piece);
    }
    const pieces = [...newest.values()].filter((p) => p.value !== undefined || !queuedHere.has(p.piece)).reverse();
    const tokens: Tokens = { limit: state.limit, peak: state.peak, grants: state.grants, head: state.waiting.head, tail: state.waiting.tail };
    pieces.push({ piece: TOKENS, value: tokens });
    return { pieces, state: { ...state, journal: null } };
  },
  assemble(cellId, pieces) {
    const tokens = (pieces.get(TOKENS) as Tokens | undefined) ?? { limit: 0, peak: 0, grants: 0, head: 0, tail: 0 };
    const numbered: [number, Holder][] = [];
    const held: Holder[] = [];
    for (const [piece, value] of pieces) {
      if (piece.startsWith('w')) numbered.push([Number(piece.slice(1)), value as Holder]);
      else if (piece.startsWith('h')) held.push(value as Holder);
    }
    held.sort((a, b) => a.slot! - b.slot!);
    // Tokens held when they were kept in the counters piece become pieces with the next write, numbered below any queue number.
    let journal: Journal | null = null;
    for (const [i, h] of (tokens.held ?? []).entries()) {
      const holder = { ...h, slot: -1 - i };
      held.push(holder);
      journal = noted(journal, heldPiece(holder), holder);
    }
    const waiting = restoreQueue(numbered, idOf, tokens.head, tokens.tail);
    return { cellId, limit: tokens.limit, held, waiting, peak: tokens.peak, grants: tokens.grants, journal };
  },
};
