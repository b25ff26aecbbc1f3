import { from, map, reduce } from 'rxjs';
import type { Projection } from './projection.ts';

/**
 * Folds a batch into one change per key: each event folded, in arrival order, into the change
 * of the row it touches. One `reduce` over a Map rather than `groupBy`: a group per key costs a
 * subscription per row, and their teardown grows with the square of the rows in a write. The
 * source is an array, so the pipeline completes synchronously.
 */
export function foldByKey<E, R>(projection: Pick<Projection<E, R>, 'keyOf' | 'fold'>, events: readonly E[]): R[] {
  let changes: R[] = [];
  from(events)
    .pipe(
      reduce((byKey, e) => {
        const key = projection.keyOf(e);
        return byKey.set(key, projection.fold(byKey.get(key), e));
      }, new Map<string, R>()),
      map((byKey) => [...byKey.values()]),
    )
    .subscribe((folded) => {
      changes = folded;
    });
  return changes;
}
