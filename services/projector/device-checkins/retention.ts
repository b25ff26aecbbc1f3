import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../runtime/clock.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Database } from '../database.ts';

const DAY_MS = 86_400_000;

/** Rows per DELETE: short statements keep locks and WAL bursts small beside the projection's own writes. */
export const SWEEP_BATCH_ROWS = 5_000;

/** Deletes the check-ins from before `olderThan`, `batchSize` rows per statement, until none are left; returns how many. */
export async function sweepCheckins(db: Kysely<Database>, olderThan: Date, batchSize: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const expired = db.selectFrom('device_checkins').select(sql`ctid`.as('ctid')).where('checked_in_at', '<', olderThan).limit(batchSize);
    const { numDeletedRows } = await db.deleteFrom('device_checkins').where(sql`ctid`, 'in', expired).executeTakeFirstOrThrow();
    deleted += Number(numDeletedRows);
    if (numDeletedRows < BigInt(batchSize)) return deleted;
  }
}

export interface CheckinRetentionDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retentionDays: number;
  /** Real milliseconds from the end of one sweep to the start of the next. */
  readonly everyMs: number;
}

/**
 * Sweeps expired check-ins now and then every `everyMs`. The next sweep is scheduled when one
 * ends, so a slow sweep never overlaps the next. A failed sweep is retriable: it is logged,
 * and the rows wait for the next one.
 */
export function startCheckinRetention(deps: CheckinRetentionDeps): { stop(): Promise<void> } {
  const log = deps.logger.child({ component: 'checkin-retention' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void>;
  const sweep = async () => {
    const olderThan = new Date(deps.clock.now() - deps.retentionDays * DAY_MS);
    try {
      const deleted = await sweepCheckins(deps.db, olderThan, SWEEP_BATCH_ROWS);
      log.info({ deleted, olderThan: olderThan.toISOString() }, 'deleted expired device check-ins');
    } catch (e) {
      log.error({ err: e, olderThan: olderThan.toISOString() }, 'check-in retention sweep failed; the next sweep retries');
    }
    if (!stopped) timer = setTimeout(start, deps.everyMs);
  };
  const start = () => {
    sweeping = sweep();
  };
  start();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
    },
  };
}
