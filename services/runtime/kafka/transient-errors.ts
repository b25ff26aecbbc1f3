/**
 * Whether an error of either driver's client is one retrying may fix (the broker away, a leader
 * moving, a transaction still finishing): errors.ts calls such an error transient.
 */
export function isTransientKafka(e: unknown): boolean {
  return isTransientKafkajs(e) || isTransientPlatformatic(e);
}

/**
 * kafkajs marks what retrying may fix (`retriable`, kafkajs src/errors.js); when its own retries
 * ran out it throws KafkaJSNumberOfRetriesExceeded, not retriable itself, with the last error as
 * its cause: that cause says whether the broker was merely away.
 */
function isTransientKafkajs(e: unknown): boolean {
  const error = e as { name?: unknown; retriable?: unknown; cause?: unknown } | undefined;
  if (typeof error?.name !== 'string' || !error.name.startsWith('KafkaJS')) return false;
  if (error.name === 'KafkaJSNumberOfRetriesExceeded') return isTransientKafkajs(error.cause);
  return error.retriable === true;
}

/**
 * @platformatic/kafka's errors carry a PLT_KFK_ code and `canRetry`. A connection that failed or
 * timed out (code PLT_KFK_NETWORK, its timeouts included, which it marks not retriable) is the
 * broker away. Its retries that ran out, and a response with errors, wrap the errors in one
 * (`errors`): transient when each of them is.
 */
function isTransientPlatformatic(e: unknown): boolean {
  const error = e as { code?: unknown; canRetry?: unknown; errors?: unknown } | undefined;
  if (typeof error?.code !== 'string' || !error.code.startsWith('PLT_KFK_')) return false;
  if (Array.isArray(error.errors) && error.errors.length > 0) return error.errors.every(isTransientPlatformatic);
  return error.code === 'PLT_KFK_NETWORK' || error.canRetry === true;
}
