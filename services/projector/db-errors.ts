/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the records, not the database, are at fault. */
export const isRefusal = (e: unknown): boolean => /^2[23]/.test(String((e as { code?: unknown }).code ?? ''));

// Connection exceptions, insufficient resources (too many connections, disk full), a server shutting
// down, crashed or starting, a standby during failover, and conflicts or timeouts that a second try clears.
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|25006|40001|40P01|55P03|57014)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);
// What pg, pg-pool and kysely throw, without a code, when a connection is lost or cannot be had.
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Postgres connection has been discarded|Query read timeout)/;

/**
 * Why the database is unavailable if `e` says it is (a network code, a SQLSTATE or pg's message
 * for a lost connection), else undefined. Waiting helps with these: they are retried, never
 * dead-lettered. Looks through `cause` and the first of an AggregateError's errors.
 */
export function unavailability(e: unknown): string | undefined {
  for (let err = e, depth = 0; err instanceof Object && depth < 5; depth++) {
    const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE.test(code)) return `SQLSTATE ${code}`;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return message;
    err = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}
