import { describe, expect, it } from 'vitest';
import { cellLimit, defaultRadioRanges } from './cell-limit.ts';

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
    expect(cellLimit({ rsrp: null, sinr: null })).toBe(10);
    expect(cellLimit({ rsrp: -90, sinr: null })).toBe(10);
  });
  it('R-CELL-2: range bounds are configurable', () => {
    const strict = { ...defaultRadioRanges, rsrp0Min: -80 };
    expect(cellLimit({ rsrp: -90, sinr: 12 }, strict)).toBe(1);
    expect(cellLimit({ rsrp: -79, sinr: 12 }, strict)).toBe(50);
  });
});
