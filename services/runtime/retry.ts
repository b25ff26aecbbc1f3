import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';

export interface RetryOptions {
  /** Each failed attempt is a warn line here; the first success after failures an info line. */
  readonly log: Logger;
  /** True for a failure that goes away by itself (a dependency unreachable or overloaded). */
  readonly isTransient: (e: unknown) => boolean;
  /** The wait after the first failure, doubled after each next one up to `maxDelayMs` (default 100). */
  readonly initialDelayMs?: number;
  /** default 2000 */
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds or fails for a reason that is not transient (thrown at once).
 * A transient failure is never given up on: the caller waits, saying so in the log, as long as
 * the dependency named by `what` stays down.
 */
export async function retryTransient<T>(what: string, attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  let delayMs = Math.min(options.initialDelayMs ?? 100, maxDelayMs);
  for (let n = 1; ; n++) {
    try {
      const result = await attempt();
      if (n > 1) options.log.info({ attempts: n }, `${what} answered after ${n} attempts`);
      return result;
    } catch (e) {
      if (!options.isTransient(e)) throw e;
      // Jitter: processes that lost the dependency together do not all come back in the same millisecond.
      const retryInMs = Math.round(delayMs * (0.5 + Math.random() / 2));
      options.log.warn({ err: e, attempt: n, retryInMs }, `waiting for ${what} (attempt ${n} failed: ${(e as Error).message})`);
      await sleep(retryInMs);
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }
}

// Node's codes for a peer that cannot be reached or went away (the set mappersmith's retry middleware uses, plus ENETUNREACH).
const NETWORK_ERRORS = ['EAI_AGAIN', 'ECONNABORTED', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTDOWN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT'];
const NETWORK_MESSAGE = new RegExp(`\\b(${NETWORK_ERRORS.join('|')})\\b|socket hang up|Timeout \\(\\d+ms\\)`);

/**
 * Whether an HTTP client error is transient: the server unreachable, timing out, overloaded (408,
 * 429) or failing (5xx). @kafkajs/confluent-schema-registry reports a network failure as a
 * response of status 400 whose message carries Node's error code, so the message decides there;
 * a 404 (unknown subject, schema or id) and other 4xx answers are definite.
 */
export function isTransientHttp(e: unknown): boolean {
  const { status, code, message } = (e ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status === 'number' && (status >= 500 || status === 408 || status === 429)) return true;
  if (typeof code === 'string' && NETWORK_ERRORS.includes(code)) return true;
  return (status === undefined || status === 400) && typeof message === 'string' && NETWORK_MESSAGE.test(message);
}
