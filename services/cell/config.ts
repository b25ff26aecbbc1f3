import { envNumber, type Env } from '../runtime/config.ts';
import { defaultRadioRanges, type RadioRanges } from './cell-limit.ts';

/**
 * R-CELL-2: the radio range bounds, from OTAFLOW_CELL_RSRP0_MIN (dBm, default -105),
 * OTAFLOW_CELL_RSRP1_MIN (-115), OTAFLOW_CELL_SINR0_MIN (dB, 7) and OTAFLOW_CELL_SINR1_MIN (-3).
 */
export function parseRadioRanges(env: Env): RadioRanges {
  const read = (name: string, fallback: number) => envNumber(env, name, fallback);
  const ranges: RadioRanges = Object.freeze({
    rsrp0Min: read('OTAFLOW_CELL_RSRP0_MIN', defaultRadioRanges.rsrp0Min),
    rsrp1Min: read('OTAFLOW_CELL_RSRP1_MIN', defaultRadioRanges.rsrp1Min),
    sinr0Min: read('OTAFLOW_CELL_SINR0_MIN', defaultRadioRanges.sinr0Min),
    sinr1Min: read('OTAFLOW_CELL_SINR1_MIN', defaultRadioRanges.sinr1Min),
  });
  if (ranges.rsrp1Min >= ranges.rsrp0Min) throw new Error(`OTAFLOW_CELL_RSRP1_MIN (${ranges.rsrp1Min}) must be below OTAFLOW_CELL_RSRP0_MIN (${ranges.rsrp0Min})`);
  if (ranges.sinr1Min >= ranges.sinr0Min) throw new Error(`OTAFLOW_CELL_SINR1_MIN (${ranges.sinr1Min}) must be below OTAFLOW_CELL_SINR0_MIN (${ranges.sinr0Min})`);
  return ranges;
}
