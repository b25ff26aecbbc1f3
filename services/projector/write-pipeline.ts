import { BehaviorSubject, bufferWhen, concatMap, defer, delay, first, Subject, switchMap } from 'rxjs';

export interface WritePipelineOptions<B, O> {
  /** How long an idle writer waits for more batches to join the next write. */
  readonly lingerMs: number;
  /** Writes a group of batches in one transaction; returns one outcome per batch, in order. */
  write(group: readonly B[]): Promise<readonly O[]>;
}

export interface WritePipeline<B, O> {
  /**
   * Settles once the batch's write has committed or failed. The consumer awaits it before
   * fetching that partition again: a slow database pauses consumption instead of queueing.
   */
  submit(batch: B): Promise<O>;
  /** Batches submitted and not yet settled: at most one per partition being consumed. */
  inFlight(): number;
  /** Call after the consumer stopped: a batch still waiting would never settle. */
  close(): void;
}

interface Pending<B, O> {
  readonly batch: B;
  resolve(outcome: O): void;
  reject(error: unknown): void;
}

/**
 * One writer, one transaction at a time. Batches that arrive while it writes wait in one
 * buffer and become its next write, so the slower the database, the larger (and fewer) the
 * transactions, and memory stays bounded by what the consumer has in flight.
 */
export function createWritePipeline<B, O>(options: WritePipelineOptions<B, O>): WritePipeline<B, O> {
  const submitted = new Subject<Pending<B, O>>();
  const idle = new BehaviorSubject(true);
  let inFlight = 0;
  const subscription = submitted
    .pipe(
      // A buffer closes once something arrived, the writer is idle and the linger has passed: no timers while nothing comes.
      bufferWhen(() => submitted.pipe(first(), switchMap(() => idle.pipe(first(Boolean))), delay(options.lingerMs))),
      concatMap((group) =>
        defer(async () => {
          idle.next(false);
          try {
            const outcomes = await options.write(group.map((p) => p.batch));
            inFlight -= group.length;
            group.forEach((p, i) => p.resolve(outcomes[i]!));
          } catch (e) {
            inFlight -= group.length;
            group.forEach((p) => p.reject(e));
          } finally {
            idle.next(true);
          }
        }),
      ),
    )
    .subscribe();
  return {
    submit(batch) {
      inFlight++;
      return new Promise<O>((resolve, reject) => submitted.next({ batch, resolve, reject }));
    },
    inFlight: () => inFlight,
    close() {
      subscription.unsubscribe();
    },
  };
}
