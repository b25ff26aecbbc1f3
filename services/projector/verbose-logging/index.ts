import { sql, type Kysely } from 'kysely';
import { parseVerboseEvent, verboseLifecycle, type VerboseEvent } from '../../../contracts/verbose-events.ts';
import type { Database } from '../database.ts';
import { takeIncoming, toTimestamp, type Projection } from '../projection.ts';

/**
 * verbose_logging (R-LOG-1): one row per verbose logging session of a device, with its latest
 * state and the times the verbose actor set: auto-off after 7 days, collecting from the next
 * check-in, fetchable 24 h later, purged after 30 days. Each event carries the whole session,
 * so the latest event is the row; an older one arriving later never moves it back.
 */

/** A session only moves forward, so at the same instant the later state is the newer event. */
const lifecycle: readonly VerboseEvent['type'][] = verboseLifecycle;

/** True when `e` happened after `than`, or is the same event again: the fold and the upsert both order events so. */
const supersedes = (e: VerboseEvent, than: VerboseEvent): boolean =>
  e.at > than.at || (e.at === than.at && lifecycle.indexOf(e.type) >= lifecycle.indexOf(than.type));


export const verboseLoggingProjection: Projection<VerboseEvent, VerboseEvent> = {
  name: 'verbose_logging',
  topics: ['verbose-events'],
  parse: (_topic, value, key) => parseVerboseEvent(value, key),
  keyOf: (e) => `${e.deviceId}\u0000${e.enabledAt}`,
  fold: (change, e) => (change === undefined || supersedes(e, change) ? e : change),
  async write(trx, changes) {
    const rows = changes.map((e) => ({
      device_id: e.deviceId,
      enabled_at: toTimestamp(e.enabledAt)!,
      state: e.type,
      auto_off_at: toTimestamp(e.autoOffAt)!,
      collecting_since: toTimestamp(e.collectingSince),
      off_at: toTimestamp(e.offAt),
      fetchable_at: toTimestamp(e.fetchableAt),
      purge_at: toTimestamp(e.purgeAt)!,
      updated_at: toTimestamp(e.at)!,
    }));
    await trx
      .insertInto('verbose_logging')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['device_id', 'enabled_at'])
          .doUpdateSet(takeIncoming(['state', 'auto_off_at', 'collecting_since', 'off_at', 'fetchable_at', 'purge_at', 'updated_at']))
          // `supersedes` in SQL: the state enum is declared in lifecycle order.
          .where(sql<boolean>`(verbose_logging.updated_at, verbose_logging.state) <= (excluded.updated_at, excluded.state)`),
      )
      .execute();
  },
  async clear(db) {
    await db.deleteFrom('verbose_logging').execute();
  },
};

/** A device's verbose logging sessions, newest first. */
export function readVerboseSessions(db: Kysely<Database>, deviceId: string) {
  return db.selectFrom('verbose_logging').selectAll().where('device_id', '=', deviceId).orderBy('enabled_at', 'desc').execute();
}

/** The sessions still on (enabled or collecting): at most 20 devices (R-LOG-1). */
export function readActiveVerboseDevices(db: Kysely<Database>) {
  return db.selectFrom('verbose_logging').selectAll().where('state', 'in', ['enabled', 'collecting']).orderBy('device_id').execute();
}
