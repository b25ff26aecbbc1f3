import { Map as IMap } from 'immutable';

/**
 * The devices waiting for a cell's token, first come first served (R-CELL-3). Persistent: every
 * operation returns a new queue and leaves the one it was given whole, as pure decisions need.
 * Adding, taking the first and removing any entry cost O(log n) (immutable's hash array mapped
 * tries), so a cell of 100,000 waiting devices costs what a cell of ten does per request.
 * Entries are numbered in arrival order: the numbers are the order, and name each entry's piece
 * of the changelog.
 */
export interface WaitingQueue<T> {
  readonly entries: IMap<number, T>;
  readonly numberOf: IMap<string, number>;
  /** No entry has a lower number. */
  readonly head: number;
  /** The next entry's number. */
  readonly tail: number;
}

export const emptyQueue = <T>(): WaitingQueue<T> => ({ entries: IMap(), numberOf: IMap(), head: 0, tail: 0 });

export const queueSize = (q: WaitingQueue<unknown>): number => q.entries.size;

export const isWaiting = (q: WaitingQueue<unknown>, id: string): boolean => q.numberOf.has(id);

export function enqueue<T>(q: WaitingQueue<T>, id: string, item: T): { readonly queue: WaitingQueue<T>; readonly number: number } {
  const number = q.tail;
  return { queue: { entries: q.entries.set(number, item), numberOf: q.numberOf.set(id, number), head: q.head, tail: number + 1 }, number };
}

/** Takes the first entry out; `idOf` names it as `enqueue` was told. */
export function dequeue<T>(q: WaitingQueue<T>, idOf: (item: T) => string): { readonly queue: WaitingQueue<T>; readonly number: number; readonly item: T } | undefined {
  if (q.entries.size === 0) return undefined;
  // Entries removed from the middle leave gaps; each is stepped over once.
  let head = q.head;
  while (!q.entries.has(head)) head++;
  const item = q.entries.get(head)!;
  return { queue: { entries: q.entries.delete(head), numberOf: q.numberOf.delete(idOf(item)), head: head + 1, tail: q.tail }, number: head, item };
}

export function remove<T>(q: WaitingQueue<T>, id: string): { readonly queue: WaitingQueue<T>; readonly number: number } | undefined {
  const number = q.numberOf.get(id);
  if (number === undefined) return undefined;
  return { queue: { entries: q.entries.delete(number), numberOf: q.numberOf.delete(id), head: q.head, tail: q.tail }, number };
}

/** The entries in arrival order. */
export function* inOrder<T>(q: WaitingQueue<T>): Generator<T> {
  for (let n = q.head; n < q.tail; n++) {
    const item = q.entries.get(n);
    if (item !== undefined) yield item;
  }
}

/** A queue from its numbered entries, as the changelog kept them. */
export function restoreQueue<T>(numbered: Iterable<readonly [number, T]>, idOf: (item: T) => string, head: number, tail: number): WaitingQueue<T> {
  let entries = IMap<number, T>().asMutable();
  let numberOf = IMap<string, number>().asMutable();
  for (const [n, item] of numbered) {
    entries = entries.set(n, item);
    numberOf = numberOf.set(idOf(item), n);
  }
  return { entries: entries.asImmutable(), numberOf: numberOf.asImmutable(), head, tail };
}
