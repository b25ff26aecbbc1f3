import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../runtime/logger.ts';
import { unavailability } from './db-errors.ts';

export interface DatabaseRetryOptions {
  /** The wait after a first failure; it doubles with each failure that follows (default 100 ms). */
  readonly minDelayMs?: number;
  /** The longest wait while the database is unavailable: how late work resumes once it is back (default 2 s). */
  readonly maxDelayMs?: number;
  /** The longest wait after any other failure, each logged at error (default 30 s). */
  readonly maxFailureDelayMs?: number;
}

export interface RunOptions {
  /** Aborting stops the waiting: `run` rejects with the abort reason instead of trying again. */
  readonly signal?: AbortSignal;
  /**
   * What a failure that is not unavailability does: `retry` (logged at error each time; a defect
   * or a broken permission must stop the projection, never lose its records or crash-loop the
   * process) or `throw` (a broken migration stops the start).
   */
  readonly failures: 'retry' | 'throw';
}

/**
 * Runs database work until it succeeds, waiting out outages with capped exponential backoff.
 * The outage is the database's, not one caller's: however many callers wait, it is logged once
 * at warn when it begins and once at info when any work succeeds again.
 */
export class DatabaseRetry {
  readonly #log: Logger;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxFailureDelayMs: number;
  #outage: { readonly since: number; readonly kind: string } | undefined;
  /** Counts the outages that ended: work started before the last one ended may still fail with it. */
  #recoveries = 0;

  constructor(log: Logger, options: DatabaseRetryOptions = {}) {
    this.#log = log;
    this.#minDelayMs = options.minDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
    this.#maxFailureDelayMs = options.maxFailureDelayMs ?? 30_000;
  }

  async run<T>(what: string, op: () => Promise<T>, options: RunOptions): Promise<T> {
    for (let failures = 0; ; failures++) {
      const recoveries = this.#recoveries;
      try {
        const result = await op();
        if (this.#outage) {
          this.#log.info({ kind: this.#outage.kind, what, unavailableMs: Date.now() - this.#outage.since }, 'database available again');
          this.#outage = undefined;
          this.#recoveries++;
        }
        return result;
      } catch (e) {
        const kind = unavailability(e);
        if (kind === undefined && options.failures === 'throw') throw e;
        options.signal?.throwIfAborted();
        if (kind === undefined) this.#log.error({ err: e, what, failures: failures + 1 }, 'database work failed, retrying');
        else if (!this.#outage && recoveries === this.#recoveries) {
          this.#outage = { since: Date.now(), kind };
          this.#log.warn({ kind, what, err: (e as Error).message }, 'database unavailable, retrying');
        }
        const cap = kind === undefined ? this.#maxFailureDelayMs : this.#maxDelayMs;
        // Jitter: instances that lost the database together do not all come back in the same millisecond.
        await sleep(Math.min(cap, this.#minDelayMs * 2 ** Math.min(failures, 20)) * (0.5 + Math.random() / 2), undefined, { signal: options.signal });
      }
    }
  }
}
