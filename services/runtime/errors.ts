import { InvalidMessage } from './actor.ts';
import { isTransientKafka } from './kafka/transient-errors.ts';
import { isTransientHttp } from './retry.ts';

/**
 * What went wrong decides what a consumer does with it (STYLE 10, 19):
 * - `invalid`: the input cannot be used (it does not decode, fails validation, or what handling
 *   it would write is over the broker's limits): the input goes to the dead-letter topic;
 * - `defect`: otaflow's own fault (a `decide` that throws, an undeclared output topic, an output
 *   that does not encode): the input goes to the dead-letter topic too, but logged at error and
 *   counted apart, so the partition keeps moving while someone fixes the code;
 * - `transient`: something the service depends on is unavailable (broker, registry, database):
 *   retried with backoff, never a dead letter.
 */
export type ErrorKind = 'invalid' | 'defect' | 'transient';

/** A fault in otaflow's own code or data, not in the input. */
export class Defect extends Error {
  override readonly name = 'Defect';
}

/** A dependency (broker, registry, database) that is unavailable for now. */
export class Unavailable extends Error {
  override readonly name = 'Unavailable';
}

/**
 * What a consumer does with each kind of error. A defect may also `stop` the partition (it is
 * retried until the code is fixed: akka's `fail`), for a consumer that must never skip a record.
 */
export interface RecoveryStrategy {
  readonly invalid: 'dead-letter';
  readonly defect: 'dead-letter' | 'stop';
  readonly transient: 'retry';
}

/** The strategy of every actor service and projection: no record stops a partition, no outage loses one. */
export const deadLetterOrRetry: RecoveryStrategy = { invalid: 'dead-letter', defect: 'dead-letter', transient: 'retry' };

export function errorKind(e: unknown): ErrorKind {
  if (e instanceof InvalidMessage) return 'invalid';
  if (e instanceof Unavailable || isTransientKafka(e) || isTransientHttp(e)) return 'transient';
  return 'defect';
}
