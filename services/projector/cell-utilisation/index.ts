import { sql, type Kysely } from 'kysely';
import { parseCellEvent, type CellEvent } from '../../../contracts/cell-events.ts';
import type { Database } from '../database.ts';
import { takeIncoming, toTimestamp, type Projection } from '../projection.ts';

export interface CellDelta {
  cellId: string;
  limit: number;
  inUse: number;
  waiting: number;
  peak: number;
  grants: number;
  at: number;
}

/** The change to one cell row: the last event gives the current figures, the peak is the batch's maximum. */
export function foldCell(change: CellDelta | undefined, e: CellEvent): CellDelta {
  const grants = (change?.grants ?? 0) + (e.type === 'granted' ? 1 : 0);
  return { cellId: e.cellId, limit: e.limit, inUse: e.inUse, waiting: e.waiting, peak: Math.max(change?.peak ?? 0, e.inUse), grants, at: e.at };
}

export const cellUtilisationProjection: Projection<CellEvent, CellDelta> = {
  name: 'cell_utilisation',
  topics: ['cell-events'],
  parse: (_topic, value, key) => parseCellEvent(value, key),
  keyOf: (e) => e.cellId,
  fold: foldCell,
  async write(trx, changes) {
    const rows = changes.map((d) => ({
      cell_id: d.cellId,
      cell_limit: d.limit,
      in_use: d.inUse,
      waiting: d.waiting,
      peak_in_use: d.peak,
      grants: d.grants,
      last_change_at: toTimestamp(d.at)!,
    }));
    await trx
      .insertInto('cell_utilisation')
      .values(rows)
      .onConflict((oc) =>
        oc.column('cell_id').doUpdateSet({
          ...takeIncoming(['cell_limit', 'in_use', 'waiting', 'last_change_at']),
          peak_in_use: sql`greatest(cell_utilisation.peak_in_use, excluded.peak_in_use)`,
          grants: sql`cell_utilisation.grants + excluded.grants`,
        }),
      )
      .execute();
  },
  async clear(db) {
    await db.deleteFrom('cell_utilisation').execute();
  },
};

export function readCells(db: Kysely<Database>, cellIds: readonly string[]) {
  return db.selectFrom('cell_utilisation').selectAll().where('cell_id', 'in', cellIds).orderBy('cell_id').execute();
}
