import { sql, type Kysely } from 'kysely';
import { parseCheckin, type Checkin } from '../../../contracts/device-checkins.ts';
import type { Database } from '../database.ts';
import { takeIncoming, toTimestamp, type Projection } from '../projection.ts';

/**
 * device_checkins (R-LOG-1: "the check-in history of a device is kept and queryable"): one
 * row per check-in, keyed by device and check-in time, so a check-in delivered twice stays one
 * row. The topic keeps 7 days; this table keeps OTAFLOW_CHECKIN_RETENTION_DAYS (retention.ts).
 */
export const deviceCheckinsProjection: Projection<Checkin, Checkin> = {
  name: 'device_checkins',
  topics: ['device-checkins'],
  parse(_topic, value, key, context) {
    // The device service's own check, so the history holds exactly the check-ins device actors accept.
    return parseCheckin(value, key, context);
  },
  keyOf: (c) => `${c.deviceId}\u0000${c.at}`,
  // The same device at the same instant is one check-in delivered again: any copy is the row.
  fold: (_change, c) => c,
  async write(trx, changes) {
    const rows = changes.map((c) => ({
      device_id: c.deviceId,
      checked_in_at: toTimestamp(c.at)!,
      protocol: c.protocol,
      make: c.make,
      model: c.model,
      firmware_version: c.firmwareVersion,
      software_version: c.softwareVersion,
      client_type: c.clientType,
      fota_capable: c.fotaCapable,
      connected: c.connected,
      cell_id: c.radio?.cellId ?? null,
      rsrp: c.radio?.rsrp ?? null,
      sinr: c.radio?.sinr ?? null,
    }));
    // An update rather than "do nothing": a rebuild after a fix to this mapping rewrites the rows the topic still holds.
    await trx
      .insertInto('device_checkins')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['device_id', 'checked_in_at']).doUpdateSet(
          takeIncoming(['protocol', 'make', 'model', 'firmware_version', 'software_version', 'client_type', 'fota_capable', 'connected', 'cell_id', 'rsrp', 'sinr']),
        ),
      )
      .execute();
  },
  // Deliberately keeps the rows: the topic holds 7 days of check-ins and this table up to the
  // retention, so rows a rebuild dropped could never come back. The upsert above lets a
  // rebuild rewrite what the topic still holds.
  async clear() {},
};

/** A device's check-ins, newest first. */
export function readCheckinHistory(db: Kysely<Database>, deviceId: string, limit: number) {
  return db.selectFrom('device_checkins').selectAll().where('device_id', '=', deviceId).orderBy('checked_in_at', 'desc').limit(limit).execute();
}
