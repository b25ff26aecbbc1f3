import { describe, expect, it } from 'vitest';
import type { CellEvent } from '../contracts/cell-events.ts';
import { generateFleet, radioClasses } from '../scripts/fleet/fleet.ts';
import { cellConcurrency } from '../scripts/lib/cell-concurrency.ts';
import { cellService } from '../services/cell/service.ts';
import { stepTimeouts } from '../services/device/task.ts';
import { limitsOf } from './support/campaign-checks.ts';
import { fleetOf, MIN, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';
import { SimulatedDevices } from './support/simulated-devices.ts';
import { allServices, TopologyDriver } from './support/topology-driver.ts';

const cellEvents = (s: Scenario) => s.driver.outputs<CellEvent>('cell-events').map((r) => r.value);

describe('cell limits on the in-memory topology', () => {
  it('R-CELL-1, R-CELL-3: 300 devices in one cell of limit 10 never hold more than 10 tokens at once, by the cell\'s events and by the devices\' own count', () => {
    const fleet = generateFleet({ devices: 300, cells: 1, idPrefix: 'one-', radioOf: () => radioClasses[1] });
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    const [cell] = cellConcurrency(cellEvents(s)).values();
    expect(cell).toMatchObject({ cellId: fleet[0]!.cellId, peak: 10, grants: 300, limits: [10, 10] });
    expect(cellEvents(s).every((e) => e.inUse <= 10)).toBe(true);
    expect(s.devices.peakByCell.get(fleet[0]!.cellId)).toBe(10);
    expect(s.results().filter((r) => r.status === 'UpgradeSuccess')).toHaveLength(300);
  });

  it('R-CELL-1, R-CELL-2: with mixed radio, each cell\'s limit is 50, 10 or 1 by its devices\' RSRP and SINR ranges, and its peak reaches that limit when enough devices wait', () => {
    // Cell i gets radio class i % 3.
    const fleet = generateFleet({ devices: 180, cells: 3, idPrefix: 'mixed-', seed: 22 });
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    const limits = limitsOf(fleet);
    expect([...limits.values()]).toEqual([50, 10, 1]);
    for (const c of cellConcurrency(cellEvents(s)).values()) {
      expect(c, c.cellId).toMatchObject({ peak: limits.get(c.cellId), grants: 60, limits: [limits.get(c.cellId), limits.get(c.cellId)] });
      expect(s.devices.peakByCell.get(c.cellId), c.cellId).toBe(limits.get(c.cellId));
    }
  });

  it('R-CELL-2: the radio ranges are configurable: a cell service with stricter ranges gives the same radio a lower limit', () => {
    const fleet = generateFleet({ devices: 20, cells: 1, idPrefix: 'strict-', radioOf: () => radioClasses[0] });
    const strict = { rsrp0Min: -85, rsrp1Min: -95, sinr0Min: 15, sinr1Min: 5 };
    const driver = new TopologyDriver({ startAt: T0, services: allServices().map((def) => (def.name === 'cell' ? cellService(strict) : def)) });
    const devices = new SimulatedDevices(fleet);
    devices.checkInAll(driver);
    driver.pipeInput('campaign-commands', 'k1', { ...scheduleFor('k1', fleet), at: driver.now });
    devices.answer(driver);

    // rsrp −90 is range 1 and sinr 12 range 1 under these ranges: 1 at a time, where the defaults allow 50.
    expect([...cellConcurrency(driver.outputs<CellEvent>('cell-events').map((r) => r.value)).values()]).toEqual([expect.objectContaining({ peak: 1, grants: 20, limits: [1, 1] })]);
  });

  it('R-CELL-2: a cell\'s limit is that of its latest radio report; a lower one revokes no token held and only delays the next grant', () => {
    const good = radioClasses[0];
    const poor = radioClasses[2];
    const fleet = fleetOf('mix-', 'LWM2M', [good, good, poor, good]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    const [a, b, c, d] = fleet.map((x) => x.deviceId);
    expect(cellEvents(s).map((e) => `${e.type} ${e.deviceId} limit ${e.limit} inUse ${e.inUse}`)).toEqual([
      `queued ${a} limit 50 inUse 0`,
      `granted ${a} limit 50 inUse 1`,
      `queued ${b} limit 50 inUse 1`,
      `granted ${b} limit 50 inUse 2`,
      `queued ${c} limit 1 inUse 2`,
      // d reports good radio again: the limit is 50 once more, and c and d are granted.
      `queued ${d} limit 50 inUse 2`,
      `granted ${c} limit 50 inUse 3`,
      `granted ${d} limit 50 inUse 4`,
      `released ${a} limit 50 inUse 3`,
      `released ${b} limit 50 inUse 2`,
      `released ${c} limit 50 inUse 1`,
      `released ${d} limit 50 inUse 0`,
    ]);
  });

  it('R-CELL-3: a token is held from delivery until the result, even a timeout; then the next waiting device of the cell is granted, in arrival order', () => {
    const fleet = fleetOf('order-', 'LWM2M', [{ silentOn: ['UPGRADE'] }, {}, {}, {}].map((o) => ({ ...o, ...radioClasses[2] })));
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));
    const [first] = fleet.map((x) => x.deviceId);
    expect(cellEvents(s).filter((e) => e.type === 'granted').map((e) => e.deviceId)).toEqual([first]);

    s.advance(stepTimeouts.update!.ms - MIN);
    expect(cellEvents(s).filter((e) => e.type !== 'queued')).toHaveLength(1);
    s.advance(MIN);

    const events = cellEvents(s);
    const order = (type: CellEvent['type']) => events.filter((e) => e.type === type).map((e) => e.deviceId);
    expect(order('granted')).toEqual(order('queued'));
    expect(events.find((e) => e.type === 'released')).toMatchObject({ deviceId: first, at: s.resultOf(first!).at });
    expect(events.every((e) => e.inUse <= 1)).toBe(true);
    expect(s.results().map((r) => r.status)).toEqual(['UpgradeFailed', 'UpgradeSuccess', 'UpgradeSuccess', 'UpgradeSuccess']);
  });
});
