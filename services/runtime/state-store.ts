import { SHARED_KEY_PREFIX, type ActorType } from './actor.ts';
import { actorStates } from './changelog.ts';
import { Defect } from './errors.ts';

/**
 * Values that packed states refer to by id (PackedStates), one per id in a process: every task's
 * states get the same object, whichever task's changelog or decision brought it first.
 */
export class SharedValues {
  readonly #values = new Map<string, unknown>();

  get = (id: string): unknown => {
    if (!this.#values.has(id)) throw new Defect(`shared value "${id}" is referred to by a state but is in no changelog record read or decision made`);
    return this.#values.get(id);
  };

  /** Keeps the first value given for an id. */
  put(id: string, value: unknown): void {
    if (!this.#values.has(id)) this.#values.set(id, value);
  }
}

/** What a batch decided, as the store takes it once the batch is committed. */
export interface CommittedStates<S> {
  readonly staged: ReadonlyMap<string, S | undefined>;
  readonly serialised: ReadonlyMap<string, string | null>;
}

/**
 * A task's actor states in memory: as they are, or packed (ActorType.packed), in which case each
 * is the string its changelog record holds. A restore streams the changelog's records in, one by
 * one, with no snapshot beside the store; only the pieces of states written as pieces wait to be
 * assembled at its end.
 */
export class StateStore<S> {
  readonly #actor: ActorType<S, never>;
  readonly #shared: SharedValues;
  readonly #held = new Map<string, unknown>();
  /** Ids of the shared values this task's changelog holds. */
  readonly #written = new Set<string>();
  /** Shared values the states packed since the last takeShares() refer to that the changelog lacks. */
  #unwritten = new Map<string, unknown>();
  /** Record key → value of a pieces actor, while a restore reads them. */
  readonly #pieces = new Map<string, unknown>();

  constructor(actor: ActorType<S, never>, shared: SharedValues) {
    if (actor.packed && actor.pieces) throw new Error(`${actor.name}: a state is written either packed or as pieces, not both`);
    this.#actor = actor;
    this.#shared = shared;
  }

  get size(): number {
    return this.#held.size;
  }

  has(key: string): boolean {
    return this.#held.has(key);
  }

  /** The committed state of a key. */
  get = (key: string): S | undefined => {
    const held = this.#held.get(key);
    if (held === undefined || !this.#actor.packed) return held as S | undefined;
    return this.#actor.packed.unpack(key, held as string, this.#shared.get);
  };

  *states(): IterableIterator<S> {
    for (const key of this.#held.keys()) yield this.get(key)!;
  }

  /** For PackedStates.pack: a shared value a state refers to. */
  share = (id: string, value: unknown): void => {
    this.#shared.put(id, value);
    if (!this.#written.has(id)) this.#unwritten.set(id, value);
  };

  /** The changelog records of the shared values that the states packed since the last call refer to, not yet in the changelog. */
  takeShares(): [string, string][] {
    const records = [...this.#unwritten].map(([id, value]): [string, string] => [`${SHARED_KEY_PREFIX}${id}`, JSON.stringify(value)]);
    this.#unwritten = new Map();
    return records;
  }

  /** After the commit of a batch's records (`shares` from takeShares): the states become the task's. */
  commit(decision: CommittedStates<S>, shares: readonly (readonly [string, string])[]): void {
    for (const [recordKey] of shares) this.#written.add(recordKey.slice(SHARED_KEY_PREFIX.length));
    for (const [key, state] of decision.staged) {
      if (state === undefined) this.#held.delete(key);
      else this.#held.set(key, this.#actor.packed ? decision.serialised.get(key) : state);
    }
  }

  /** One changelog record read by a restore, in log order: `value` null is a tombstone. */
  restore(recordKey: string, value: string | null): void {
    if (recordKey.startsWith(SHARED_KEY_PREFIX)) {
      const id = recordKey.slice(SHARED_KEY_PREFIX.length);
      if (value === null) return;
      this.#shared.put(id, JSON.parse(value));
      this.#written.add(id);
    } else if (this.#actor.pieces) {
      if (value === null) this.#pieces.delete(recordKey);
      else this.#pieces.set(recordKey, JSON.parse(value));
    } else if (value === null) {
      this.#held.delete(recordKey);
    } else {
      this.#held.set(recordKey, this.#actor.packed ? value : JSON.parse(value));
    }
  }

  /** The end of a restore: the pieces assembled, and each actor's wake-up time. */
  *restored(): IterableIterator<[string, number | undefined]> {
    if (this.#actor.pieces) {
      for (const [key, state] of actorStates(this.#actor, this.#pieces)) this.#held.set(key, state);
      this.#pieces.clear();
    }
    const packed = this.#actor.packed;
    for (const [key, held] of this.#held) yield [key, packed ? packed.wakeAt(held as string) : this.#actor.wakeAt(held as S)];
  }
}
