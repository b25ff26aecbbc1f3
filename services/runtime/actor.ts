/**
 * An actor type is pure: `decide` turns (state, input, now) into a new state and the
 * records to publish. The runtime owns every effect: it loads the state, calls
 * `decide`, and commits the new state, the outputs and the consumed offsets in one
 * Kafka transaction.
 *
 * Durable timers are state: an actor that wants to be woken keeps its deadline in its
 * state and reports it through `wakeAt`. The runtime re-reads it after every decision
 * (and after a restore), and delivers a `Wake` input once the clock passes it. The
 * wake-up is processed in a transaction like any input, so it fires once in effect.
 */
export interface Wake {
  readonly kind: 'wake';
  readonly at: number;
}

export interface Output {
  /** Logical topic id (the file name in topics/ without .json). */
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
}

/** `O` narrows the outputs to the records (contracts/ Publish) an actor type may write. */
export interface Decision<S, O extends Output = Output> {
  /** The next state; `undefined` forgets the actor (a tombstone in the changelog). */
  readonly state: S | undefined;
  readonly outputs: readonly O[];
}

export interface ActorType<S, In, O extends Output = Output> {
  readonly name: string;
  initial(key: string): S;
  decide(state: S, input: In | Wake, now: number): Decision<S, O>;
  wakeAt(state: S): number | undefined;
  /** How the state is written to the changelog; default: the whole state, one JSON record under the actor key. */
  readonly pieces?: StatePieces<S>;
  /** How the state is held in memory and written to the changelog when packed (not with `pieces`). */
  readonly packed?: PackedStates<S>;
}

/**
 * States held packed, for an actor type with very many actors (a fleet's devices): the task's store
 * keeps each state as one compact string, which is also its changelog record's value, and unpacks
 * it only to decide. Values that many states share (a campaign's offer terms) are not in the string
 * but referred to by id: the runtime keeps one of each per process, writes each once to each task's
 * changelog (a record under SHARED_KEY_PREFIX and the id, before or with the first state that refers
 * to it), and reads them back on a restore.
 */
export interface PackedStates<S> {
  /** The state as a string; `share` names every shared value it refers to. Pure but for `share`. */
  pack(key: string, state: S, share: (id: string, value: unknown) => void): string;
  /** The state from its packed form; `shared` gives a shared value by id (throws for one not known). */
  unpack(key: string, packed: string, shared: (id: string) => unknown): S;
  /** `wakeAt` of the packed state, read without unpacking it (a restore reads every state). */
  wakeAt(packed: string): number | undefined;
}

/** Changelog record keys of shared values (PackedStates); no actor key starts with a control character. */
export const SHARED_KEY_PREFIX = '\u0000shared\u0000';

/** A changelog piece of a state: `value` undefined deletes the piece. */
export interface Piece {
  readonly piece: string;
  readonly value: unknown;
}

/**
 * A state written as pieces: for an actor whose state can outgrow one record (a dense cell's
 * queue), or of which a decision changes a small part. The state keeps a journal of the pieces
 * its decisions changed; after a batch the runtime writes each as its own changelog record, under
 * the actor key, PIECE_SEPARATOR and the piece's name, and keeps the state `flush` returns. Such an
 * actor is never forgotten (its decisions never return an undefined state).
 */
export interface StatePieces<S> {
  /** The pieces changed since the state was last written, in order, and the state without that journal. Pure. */
  flush(state: S): { readonly pieces: readonly Piece[]; readonly state: S };
  /** The state from every piece the changelog holds of it. */
  assemble(key: string, pieces: ReadonlyMap<string, unknown>): S;
}

/** Actor keys never hold control characters (contracts/fields.ts), so this cannot occur in one. */
export const PIECE_SEPARATOR = '\u0000';

/**
 * What timestamps from outside are checked against: the service clock's time, and how far
 * ahead of it a timestamp may be (clock skew) before it is refused.
 */
export interface ParseContext {
  readonly now: number;
  readonly maxSkewMs: number;
}

/** Five minutes: a device clock further ahead is wrong, and trusting it would hide every later record. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 300_000;

/** Decodes one input topic's value into the actor's input; throws InvalidMessage. */
export type InputParser<In> = (value: unknown, key: string, context: ParseContext) => In;

export class InvalidMessage extends Error {
  override readonly name = 'InvalidMessage';
}

export const unchanged = <S, O extends Output = Output>(state: S): Decision<S, O> => ({ state, outputs: [] });
