import type { OutMessage } from './kafka/port.ts';
import { InvalidMessage, PIECE_SEPARATOR, type ActorType, type Output, type Wake } from './actor.ts';
import { boundedReason } from './dead-letter.ts';
import { Defect, errorKind, type ErrorKind, type RecoveryStrategy } from './errors.ts';
import { MAX_RECORD_BYTES, recordBytes } from './record-size.ts';

export interface BatchItem<In> {
  readonly key: string;
  readonly input: In | Wake;
}

/** An input that could not be handled, with the kind and reason its dead letter (or log line) gives. */
export interface Rejection {
  readonly index: number;
  readonly kind: Exclude<ErrorKind, 'transient'>;
  readonly reason: string;
}

export interface BatchDecision<S> {
  /** New state per key, as written; `undefined` forgets the actor. */
  readonly staged: ReadonlyMap<string, S | undefined>;
  /** The changelog records of the staged states: record key → value (null for a tombstone). */
  readonly serialised: ReadonlyMap<string, string | null>;
  /** Encoded outputs of the decided items, in item order: [physical topic, record]. */
  readonly outputs: readonly (readonly [string, OutMessage])[];
  readonly rejections: readonly Rejection[];
  /** How many items, from the first, this decision covers; the others wait for the next batch. */
  readonly processed: number;
}

export interface BatchDeps<S, In> {
  readonly actor: ActorType<S, In>;
  /** The committed state of a key. */
  readonly stored: (key: string) => S | undefined;
  /** Takes the shared values of packed states (PackedStates.pack); required for an actor whose states are packed. */
  readonly share?: (id: string, value: unknown) => void;
  /** Encodes one output; throws Defect when it cannot. */
  readonly encode: (output: Output) => readonly [string, OutMessage];
  readonly recovery: RecoveryStrategy;
  /** The service's name, for reasons. */
  readonly service: string;
}

/**
 * How many bytes of state may be serialised to find the inputs that made a state too large
 * before the batch is cut there: the check costs a serialisation per input of that key, and a
 * transaction must end well within its timeout.
 */
const SLOW_PATH_BUDGET_BYTES = 64 * 1024 * 1024;

class OverBudget {
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
}

/**
 * Decides a batch of inputs, pure but for the actor's own purity: every output must fit in a
 * record (MAX_RECORD_BYTES), and so must every key's new state. A key's state is serialised once
 * per batch; only when it is over the limit, or cannot be written, are that key's items decided
 * again one by one, to reject the inputs that made it so; when that would serialise more than a budget, the batch is
 * cut before the item where the budget ran out. Errors of a kind to be retried are thrown.
 */
export function decideBatch<S, In>(deps: BatchDeps<S, In>, items: readonly BatchItem<In>[], now: number): BatchDecision<S> {
  try {
    return decideItems(deps, items, now, { bytes: SLOW_PATH_BUDGET_BYTES });
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
    return decideItems(deps, items.slice(0, Math.max(1, e.at)), now, { bytes: Infinity });
  }
}

function decideItems<S, In>(deps: BatchDeps<S, In>, items: readonly BatchItem<In>[], now: number, budget: { bytes: number }): BatchDecision<S> {
  const { actor } = deps;
  const results: ({ readonly outputs: readonly (readonly [string, OutMessage])[] } | Rejection)[] = [];
  const staged = new Map<string, S | undefined>();
  const itemsOf = new Map<string, number[]>();
  const current = (key: string) => (staged.has(key) ? staged.get(key) : deps.stored(key)) ?? actor.initial(key);

  items.forEach((item, i) => {
    try {
      const decided = decideOne(deps, current(item.key), item.input, now);
      staged.set(item.key, decided.state);
      results.push({ outputs: decided.outputs });
    } catch (e) {
      results.push(rejection(deps, i, e));
    }
    const mine = itemsOf.get(item.key);
    if (mine) mine.push(i);
    else itemsOf.set(item.key, [i]);
  });

  const serialised = new Map<string, string | null>();
  for (const [key, state] of staged) {
    const written = persistOrUndefined(deps, key, state);
    budget.bytes -= written?.bytes ?? 0;
    if (written && written.largest <= MAX_RECORD_BYTES) {
      staged.set(key, written.state);
      for (const [k, v] of written.records) serialised.set(k, v);
    } else redecide(deps, key, items, itemsOf.get(key)!, results, staged, serialised, now, budget);
  }
  const outputs: (readonly [string, OutMessage])[] = [];
  const rejections: Rejection[] = [];
  for (const r of results) {
    if ('outputs' in r) outputs.push(...r.outputs);
    else rejections.push(r);
  }
  return { staged, serialised, outputs, rejections, processed: items.length };
}

/** The slow path of an oversized state: the key's items again, each one's new state checked. */
function redecide<S, In>(
  deps: BatchDeps<S, In>,
  key: string,
  items: readonly BatchItem<In>[],
  indices: readonly number[],
  results: ({ readonly outputs: readonly (readonly [string, OutMessage])[] } | Rejection)[],
  staged: Map<string, S | undefined>,
  serialised: Map<string, string | null>,
  now: number,
  budget: { bytes: number },
): void {
  let state = deps.stored(key);
  let written: Written<S> | undefined;
  for (const i of indices) {
    // Rejected before, rejected again: decide is pure. The others are decided again, outputs
    // included, since an input rejected now no longer shapes the state they see.
    if (!('outputs' in results[i]!)) continue;
    try {
      const decided = decideOne(deps, state ?? deps.actor.initial(key), items[i]!.input, now);
      const next = persist(deps, key, decided.state);
      budget.bytes -= next.bytes;
      if (budget.bytes < 0) throw new OverBudget(i);
      if (next.largest > MAX_RECORD_BYTES) {
        throw new InvalidMessage(`the new state of ${deps.actor.name} "${key.slice(0, 64)}" would be ${next.largest} bytes, over the ${MAX_RECORD_BYTES}-byte record limit`);
      }
      results[i] = { outputs: decided.outputs };
      // A state written as pieces keeps its journal until the last of its inputs: the pieces of all of them are written.
      state = decided.state;
      written = next;
    } catch (e) {
      if (e instanceof OverBudget) throw e;
      results[i] = rejection(deps, i, e);
    }
  }
  if (written) {
    staged.set(key, written.state);
    for (const [k, v] of written.records) serialised.set(k, v);
  } else {
    staged.delete(key);
  }
}

/** One input's decision with its outputs encoded, each within the record limit. */
function decideOne<S, In>(deps: BatchDeps<S, In>, before: S, input: In | Wake, now: number) {
  const decision = deps.actor.decide(before, input, now);
  const outputs = decision.outputs.map((o) => deps.encode(o));
  for (const [topic, m] of outputs) {
    const bytes = recordBytes(m);
    if (bytes > MAX_RECORD_BYTES) throw new InvalidMessage(`its output to ${topic} would be ${bytes} bytes, over the ${MAX_RECORD_BYTES}-byte record limit`);
  }
  return { state: decision.state, outputs };
}

function rejection<S, In>(deps: BatchDeps<S, In>, index: number, e: unknown): Rejection {
  return { index, ...rejectionOf(deps.service, deps.recovery, e) };
}

/**
 * What an input that failed (to parse or to be decided) becomes by the consumer's recovery
 * strategy: a rejection with its kind and reason, or the error thrown again to be retried.
 */
export function rejectionOf(service: string, recovery: RecoveryStrategy, e: unknown): Omit<Rejection, 'index'> {
  const kind = errorKind(e);
  if (kind === 'transient' || (kind === 'defect' && recovery.defect === 'stop')) throw e;
  const message = (e as Error)?.message ?? String(e);
  const reason = kind === 'defect' ? `defect in otaflow's ${service} service, not in the record: ${message}` : `${service} could not handle the message: ${message}`;
  return { kind, reason: boundedReason(reason) };
}

interface Written<S> {
  /** The state to keep once the records are committed. */
  readonly state: S | undefined;
  readonly records: readonly (readonly [string, string | null])[];
  /** Characters serialised, against the slow path's budget. */
  readonly bytes: number;
  /** The largest record, key included, against MAX_RECORD_BYTES. */
  readonly largest: number;
}

/** A state that cannot be written is found, input by input, by the slow path. */
function persistOrUndefined<S, In>(deps: BatchDeps<S, In>, key: string, state: S | undefined): Written<S> | undefined {
  try {
    return persist(deps, key, state);
  } catch {
    return undefined;
  }
}

/** The changelog records of a key's new state: the whole state, packed (PackedStates), or the pieces it changed (StatePieces). */
function persist<S, In>(deps: BatchDeps<S, In>, key: string, state: S | undefined): Written<S> {
  const { actor } = deps;
  if (actor.packed) {
    if (!deps.share) throw new Defect(`${actor.name} packs its states but the batch has no store for shared values`);
    const packed = state === undefined ? null : actor.packed.pack(key, state, deps.share);
    return { state, records: [[key, packed]], bytes: packed?.length ?? 0, largest: recordSize(key, packed) };
  }
  if (!actor.pieces) {
    const json = state === undefined ? null : JSON.stringify(state);
    return { state, records: [[key, json]], bytes: json?.length ?? 0, largest: recordSize(key, json) };
  }
  if (state === undefined) throw new Defect(`${actor.name} "${key.slice(0, 64)}" is written as pieces and cannot be forgotten`);
  const flushed = actor.pieces.flush(state);
  const records = flushed.pieces.map((p) => [`${key}${PIECE_SEPARATOR}${p.piece}`, p.value === undefined ? null : JSON.stringify(p.value)] as const);
  let bytes = 0;
  let largest = 0;
  for (const [k, json] of records) {
    bytes += json?.length ?? 0;
    largest = Math.max(largest, recordSize(k, json));
  }
  return { state: flushed.state, records, bytes, largest };
}

const recordSize = (key: string, json: string | null) => Buffer.byteLength(key) + (json === null ? 0 : Buffer.byteLength(json));
