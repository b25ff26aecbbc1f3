import { Gauge, type Registry } from 'prom-client';
import { waitingCount, type CellState } from './cell-actor.ts';

/**
 * Token gauges of the cells this process holds, summed over them (R-CELL-1): one series each
 * however many cells there are. `otaflow_cells_at_limit` counts the cells whose tokens are all
 * held, where the next device waits.
 */
export function registerCellGauges(registry: Registry, states: () => Iterable<CellState>): void {
  const sum = (name: string, help: string, value: (s: CellState) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        let total = 0;
        for (const s of states()) total += value(s);
        this.set(total);
      },
    });
  sum('otaflow_cell_tokens_in_use', 'Upgrade tokens held, summed over the cells in memory', (s) => s.held.length);
  sum('otaflow_cell_tokens_waiting', 'Devices waiting for a token, summed over the cells in memory', (s) => waitingCount(s));
  sum('otaflow_cell_token_limit', 'Token limits (R-CELL-1), summed over the cells in memory', (s) => s.limit);
  sum('otaflow_cells_at_limit', 'Cells whose every token is held', (s) => (s.limit > 0 && s.held.length >= s.limit ? 1 : 0));
}
