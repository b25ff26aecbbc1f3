import { Unavailable, errorKind } from './errors.ts';
import type { Logger } from './logger.ts';
import { retryTransient } from './retry.ts';

export interface Supervisable {
  /** Settles once it can no longer make progress by itself. */
  readonly failed: Promise<Error>;
  stop(): Promise<void>;
}

/**
 * Keeps a service running until `stopped` settles: a service that stops making progress (its
 * consumer crashed for good) is stopped and started again, and so is a start that fails because
 * a dependency is unavailable, with a growing pause between attempts. A start that fails for any
 * other reason (a wrong configuration, a missing schema) is thrown: starting again would not help.
 */
export async function supervise(what: string, start: () => Promise<Supervisable>, deps: { readonly log: Logger; readonly stopped: Promise<void> }): Promise<void> {
  let stopping = false;
  const stopped = deps.stopped.then(() => {
    stopping = true;
  });
  await retryTransient(
    what,
    async () => {
      if (stopping) return;
      const running = await start();
      const failure = await Promise.race([stopped.then(() => undefined), running.failed]);
      await running.stop().catch((e: unknown) => deps.log.warn({ err: e }, `${what} did not stop cleanly`));
      if (failure) throw new Unavailable(`${what} stopped making progress (${failure.message}); starting it again`, { cause: failure });
    },
    { log: deps.log, isTransient: (e) => errorKind(e) === 'transient', initialDelayMs: 200, maxDelayMs: 1_000 },
  );
}
