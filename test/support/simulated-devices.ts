import type { DeviceCommand } from '../../contracts/device-commands.ts';
import { answer, checkinAt, PackageHolders } from '../../scripts/fleet/answer.ts';
import type { SimDevice } from '../../scripts/fleet/fleet.ts';
import type { TopologyDriver } from './topology-driver.ts';

/**
 * Simulated LwM2M, MQTT and HTTP devices on a TopologyDriver: they answer device commands with
 * the fleet simulator's own `answer` (scripts/fleet/answer.ts), piping what they send back in,
 * and count, apart from the cell actor, how many devices of each cell hold a package at once.
 */
export class SimulatedDevices {
  readonly #devices: Map<string, SimDevice>;
  readonly #holders = new PackageHolders();

  constructor(devices: readonly SimDevice[]) {
    this.#devices = new Map(devices.map((d) => [d.deviceId, d]));
  }

  /** Per cell, the most devices that held a package at once, as the devices saw it. */
  get peakByCell(): ReadonlyMap<string, number> {
    return this.#holders.peakByCell;
  }

  /** Every device checks in now (connected unless offline then), as HTTP devices do when they poll. */
  checkInAll(driver: TopologyDriver): void {
    for (const d of this.#devices.values()) driver.pipeInput('device-checkins', d.deviceId, checkinAt(d, driver.now));
  }

  /** Answers every command not read yet, and the commands the answers lead to, until none is left. */
  answer(driver: TopologyDriver): void {
    for (let c = driver.readOutput<DeviceCommand>('device-commands'); c; c = driver.readOutput<DeviceCommand>('device-commands')) this.answerOne(driver, c.value);
  }

  /** Answers one command (read by the test itself) and pipes what the device sends. */
  answerOne(driver: TopologyDriver, command: DeviceCommand): void {
    const d = this.#devices.get(command.deviceId);
    if (!d) return;
    const a = answer(d, command, driver.now);
    this.#devices.set(d.deviceId, a.device);
    this.#holders.note(d, a);
    for (const r of a.reports) driver.pipeInput('device-status-reports', r.deviceId, r);
    for (const ci of a.checkins) driver.pipeInput('device-checkins', ci.deviceId, ci);
  }
}
