import { describe, expect, it } from 'vitest';
import { cellLimit } from '../../services/cell/cell-limit.ts';
import { validImei } from '../../services/device/acceptance.ts';
import { generateFleet } from './fleet.ts';

describe('simulated fleet', () => {
  it('R-DEV-1, R-CELL-1: devices have valid IMEIs and each cell a radio class, or the radio a distribution gives it', () => {
    const fleet = generateFleet({ devices: 30, cells: 3, idPrefix: 'x-', protocols: ['LWM2M', 'MQTT', 'HTTP'] });
    expect(fleet.every((d) => validImei(d.imei))).toBe(true);
    expect(new Set(fleet.map((d) => d.protocol))).toEqual(new Set(['LWM2M', 'MQTT', 'HTTP']));
    expect([0, 1, 2].map((c) => cellLimit(fleet.find((d) => d.cellId === `x-cell-00${c}`)!))).toEqual([50, 10, 1]);
    const noisy = generateFleet({ devices: 100, cells: 1, idPrefix: 'y-', seed: 3, radioOf: (_cell, random) => ({ rsrp: -100 - 20 * random(), sinr: 10 * random() }) });
    expect(new Set(noisy.map((d) => cellLimit(d))).size).toBeGreaterThan(1);
  });
});
