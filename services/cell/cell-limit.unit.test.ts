import { describe, expect, it } from 'vitest';
import { cellIdOnly, cellLimit, defaultRadioRanges } from './cell-limit.ts';
import { parseRadioRanges } from './config.ts';

describe('cell limit from radio quality', () => {
  it('R-CELL-1: RSRP range 0 and SINR range 0 allow 50 devices', () => {
    expect(cellLimit({ rsrp: -90, sinr: 12 })).toBe(50);
    expect(cellLimit({ rsrp: -105, sinr: 7 })).toBe(50);
  });
  it('R-CELL-1: RSRP range 0 and SINR range 1 allow 10 devices', () => {
    expect(cellLimit({ rsrp: -100, sinr: 6.9 })).toBe(10);
    expect(cellLimit({ rsrp: -100, sinr: -3 })).toBe(10);
  });
  it('R-CELL-1: RSRP range 1 and SINR range 2 allow 1 device', () => {
    expect(cellLimit({ rsrp: -110, sinr: -5 })).toBe(1);
  });
  it('R-CELL-1: any other measured combination allows 1 device', () => {
    expect(cellLimit({ rsrp: -110, sinr: 10 })).toBe(1);
    expect(cellLimit({ rsrp: -120, sinr: 10 })).toBe(1);
    expect(cellLimit({ rsrp: -95, sinr: -10 })).toBe(1);
  });
  it('R-CELL-1: a failed radio query with a known cell id allows 10 devices', () => {
    expect(cellLimit(cellIdOnly)).toBe(10);
    expect(cellLimit({ rsrp: -90, sinr: null })).toBe(10);
  });
  it('R-CELL-2: range bounds are configurable', () => {
    const strict = { ...defaultRadioRanges, rsrp0Min: -80 };
    expect(cellLimit({ rsrp: -90, sinr: 12 }, strict)).toBe(1);
    expect(cellLimit({ rsrp: -79, sinr: 12 }, strict)).toBe(50);
  });

  it('R-CELL-2: the ranges come from the cell service\'s environment, checked at start', () => {
    expect(parseRadioRanges({})).toEqual(defaultRadioRanges);
    expect(parseRadioRanges({ OTAFLOW_CELL_RSRP0_MIN: '-100' }).rsrp0Min).toBe(-100);
    expect(() => parseRadioRanges({ OTAFLOW_CELL_SINR0_MIN: 'high' })).toThrow(/OTAFLOW_CELL_SINR0_MIN must be a number/);
    expect(() => parseRadioRanges({ OTAFLOW_CELL_RSRP1_MIN: '-100' })).toThrow(/must be below OTAFLOW_CELL_RSRP0_MIN/);
  });
});
