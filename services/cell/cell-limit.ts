import type { RadioQuality } from '../../contracts/cell-requests.ts';

/**
 * R-CELL-1 / R-CELL-2: how many devices of a cell may upgrade at once, from the radio
 * quality a device reported. The range bounds are configurable; these are the defaults.
 */
export interface RadioRanges {
  /** RSRP range 0 is rsrp ≥ this (dBm). */
  readonly rsrp0Min: number;
  /** RSRP range 1 is [rsrp1Min, rsrp0Min). */
  readonly rsrp1Min: number;
  /** SINR range 0 is sinr ≥ this (dB). */
  readonly sinr0Min: number;
  /** SINR range 1 is [sinr1Min, sinr0Min); range 2 is below. */
  readonly sinr1Min: number;
}

export const defaultRadioRanges: RadioRanges = Object.freeze({ rsrp0Min: -105, rsrp1Min: -115, sinr0Min: 7, sinr1Min: -3 });


/** R-CELL-1: the radio of a device that gave only its cell id (its radio query failed): limit 10. */
export const cellIdOnly: RadioQuality = Object.freeze({ rsrp: null, sinr: null });

export function cellLimit(radio: RadioQuality, r: RadioRanges = defaultRadioRanges): number {
  // R-CELL-1: radio query failed but the cell id is known → 10.
  if (radio.rsrp === null || radio.sinr === null) return 10;
  const rsrpRange = radio.rsrp >= r.rsrp0Min ? 0 : radio.rsrp >= r.rsrp1Min ? 1 : -1;
  const sinrRange = radio.sinr >= r.sinr0Min ? 0 : radio.sinr >= r.sinr1Min ? 1 : 2;
  if (rsrpRange === 0 && sinrRange === 0) return 50;
  if (rsrpRange === 0 && sinrRange === 1) return 10;
  // R-CELL-1: RSRP 1 + SINR 2 → 1, and any other measured combination → 1.
  return 1;
}
