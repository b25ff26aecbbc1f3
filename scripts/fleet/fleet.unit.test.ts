import { describe, expect, it } from 'vitest';
import { cellLimit } from '../../services/cell/cell-limit.ts';
import { validImei } from '../../services/device/acceptance.ts';
import { answers, generateFleet, learnedRadio } from './fleet.ts';

describe('simulated fleet', () => {
  it('R-DEV-1, R-CELL-1: devices have valid IMEIs and each cell a radio class, or the radio a distribution gives it', () => {
    const fleet = generateFleet({ devices: 30, cells: 3, idPrefix: 'x-', protocols: ['LWM2M', 'MQTT', 'HTTP'] });
    expect(fleet.every((d) => validImei(d.imei))).toBe(true);
    expect(new Set(fleet.map((d) => d.protocol))).toEqual(new Set(['LWM2M', 'MQTT', 'HTTP']));
    expect([0, 1, 2].map((c) => cellLimit(fleet.find((d) => d.cellId === `x-cell-00${c}`)!))).toEqual([50, 10, 1]);
    const noisy = generateFleet({ devices: 100, cells: 1, idPrefix: 'y-', seed: 3, radioOf: (_cell, random) => ({ rsrp: -100 - 20 * random(), sinr: 10 * random() }) });
    expect(new Set(noisy.map((d) => cellLimit(d))).size).toBeGreaterThan(1);
  });

  it('R-CELL-1: a device silent on the radio query gives its cell id alone (limit 10); one without a cell id answers neither query', () => {
    const [d] = generateFleet({ devices: 1, cells: 1, idPrefix: 'z-' });
    expect(learnedRadio(d!)).toEqual({ cellId: 'z-cell-000', rsrp: d!.rsrp, sinr: d!.sinr });
    const cellIdOnly = learnedRadio({ ...d!, silentOn: ['QUERY_RADIO'] })!;
    expect(cellIdOnly).toEqual({ cellId: 'z-cell-000', rsrp: null, sinr: null });
    expect(cellLimit(cellIdOnly)).toBe(10);
    expect(learnedRadio({ ...d!, silentOn: ['QUERY_RADIO', 'QUERY_CELL_ID'] })).toBeNull();
    const noCell = { ...d!, withoutCellId: true };
    expect(learnedRadio(noCell)).toBeNull();
    expect(['QUERY_VERSION', 'QUERY_RADIO', 'QUERY_CELL_ID', 'DELIVER_PACKAGE'].map((kind) => answers(noCell, kind))).toEqual([true, false, false, true]);
  });
});
