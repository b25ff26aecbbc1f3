import { from, groupBy, mergeMap, reduce, toArray } from 'rxjs';
import type { Projection } from './projection.ts';

/**
 * Folds a batch into one change per key: events grouped by the row they change, each group
 * reduced in arrival order. The source is an array, so the pipeline completes synchronously.
 */
export function foldByKey<E, R>(projection: Pick<Projection<E, R>, 'keyOf' | 'fold'>, events: readonly E[]): R[] {
  let changes: R[] = [];
  from(events)
    .pipe(
      groupBy((e) => projection.keyOf(e)),
      mergeMap((group) => group.pipe(reduce<E, R | undefined>((change, e) => projection.fold(change, e), undefined))),
      toArray(),
    )
    .subscribe((folded) => {
      changes = folded as R[];
    });
  return changes;
}
