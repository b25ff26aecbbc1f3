import { sql, type Kysely } from 'kysely';
import { registryRequest, type RegistryConfig } from '../runtime/registry-client.ts';
import type { GroupReadiness } from '../runtime/service.ts';
import type { Check } from './http-server.ts';

/** A heartbeat older than this (the broker's 6 s session plus slack) means the broker is out of reach. */
const MAX_HEARTBEAT_AGE_MS = 10_000;
const CHECK_TIMEOUT_MS = 2_000;

/** Joined its consumer group, every assigned task restored, and the broker answered heartbeats lately. */
export function groupCheck(readiness: GroupReadiness | undefined): Check {
  if (!readiness) return { ok: false, detail: 'starting' };
  if (!readiness.joined) return { ok: false, detail: 'not a member of its consumer group' };
  if (readiness.restoring > 0) return { ok: false, detail: `restoring ${readiness.restoring} tasks` };
  if (readiness.heartbeatAgeMs > MAX_HEARTBEAT_AGE_MS) return { ok: false, detail: `no heartbeat for ${Math.round(readiness.heartbeatAgeMs / 1000)} s` };
  return { ok: true };
}

/** The schema registry answers a cheap request (GET /schemas/types) within 2 s. */
export async function registryCheck(registry: RegistryConfig): Promise<Check> {
  try {
    const response = await registryRequest(registry, '/schemas/types', { timeoutMs: CHECK_TIMEOUT_MS });
    return response.status >= 200 && response.status <= 299 ? { ok: true } : { ok: false, detail: `registry answered ${response.status}` };
  } catch (e) {
    return { ok: false, detail: `registry unreachable: ${(e as Error).message}` };
  }
}

/** PostgreSQL answers `select 1` within 2 s. */
export async function databaseCheck<DB>(db: Kysely<DB>): Promise<Check> {
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
    ]);
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: `database unreachable: ${(e as Error).message}` };
  }
}
