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

export interface Decision<S> {
  /** The next state; `undefined` forgets the actor (a tombstone in the changelog). */
  readonly state: S | undefined;
  readonly outputs: readonly Output[];
}

export interface ActorType<S, In> {
  readonly name: string;
  initial(key: string): S;
  decide(state: S, input: In | Wake, now: number): Decision<S>;
  wakeAt(state: S): number | undefined;
}

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

export const unchanged = <S>(state: S): Decision<S> => ({ state, outputs: [] });
