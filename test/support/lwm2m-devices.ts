import { answers, checkinOf, type SimDevice } from '../../scripts/fleet/fleet.ts';
import type { Checkin, StatusReport } from '../../services/device/messages.ts';
import type { TopologyDriver } from './topology-driver.ts';

interface Command {
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly kind: string;
  readonly targetVersion: string;
}

/**
 * LwM2M devices answering device commands on a TopologyDriver, the way scripts/fleet/simulator.ts
 * answers them over Kafka (its answering is private to its Kafka consumer, so it cannot be called
 * here): PUSH → a connected check-in, QUERY_VERSION → FIRMWARE_VERSION, QUERY_RADIO → RADIO,
 * QUERY_CELL_ID → CELL_ID (the cell id alone), DELIVER_PACKAGE → DOWNLOADED, UPGRADE →
 * UPDATE_RESULT with the device's result code; the other commands need no answer. An offline
 * device answers nothing, nor does one that does not answer a command (fleet.ts `answers`).
 * Like the simulator, it counts the devices of each cell holding a package (from delivery to the
 * upgrade) on its own, apart from the cell actor's bookkeeping.
 */
export class Lwm2mDevices {
  readonly #devices: Map<string, SimDevice & { firmwareVersion: string }>;
  readonly #holding = new Map<string, Set<string>>();
  readonly peakByCell = new Map<string, number>();

  constructor(devices: readonly SimDevice[]) {
    this.#devices = new Map(devices.map((d) => [d.deviceId, { ...d }]));
  }

  checkInAll(driver: TopologyDriver): void {
    for (const d of this.#devices.values()) driver.pipeInput('device-checkins', d.deviceId, this.#checkin(d, driver.now));
  }

  /** Answers every command not read yet, and the commands the answers lead to, until none is left. */
  answer(driver: TopologyDriver): void {
    for (let c = driver.readOutput<Command>('device-commands'); c; c = driver.readOutput<Command>('device-commands')) this.#answer(driver, c.value);
  }

  #answer(driver: TopologyDriver, c: Command): void {
    const d = this.#devices.get(c.deviceId);
    if (!d || (d.offlineUntil ?? 0) > driver.now || !answers(d, c.kind)) return;
    const report = (kind: StatusReport['kind'], extra: Partial<StatusReport> = {}) => {
      const value: StatusReport = { deviceId: d.deviceId, campaignId: c.campaignId, kind, firmwareVersion: null, softwareVersion: null, radio: null, bytesDownloaded: null, resultCode: null, clientStatus: null, at: driver.now, ...extra };
      driver.pipeInput('device-status-reports', d.deviceId, value);
    };
    switch (c.kind) {
      case 'PUSH':
        return driver.pipeInput('device-checkins', d.deviceId, this.#checkin(d, driver.now));
      case 'QUERY_VERSION':
        return report('FIRMWARE_VERSION', { firmwareVersion: d.firmwareVersion, softwareVersion: d.firmwareVersion });
      case 'QUERY_RADIO':
        return report('RADIO', { radio: { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr } });
      case 'QUERY_CELL_ID':
        return report('CELL_ID', { radio: { cellId: d.cellId, rsrp: null, sinr: null } });
      case 'DELIVER_PACKAGE': {
        const holders = this.#holding.get(d.cellId) ?? this.#holding.set(d.cellId, new Set()).get(d.cellId)!;
        holders.add(d.deviceId);
        this.peakByCell.set(d.cellId, Math.max(this.peakByCell.get(d.cellId) ?? 0, holders.size));
        return report('DOWNLOADED');
      }
      case 'UPGRADE': {
        this.#holding.get(d.cellId)?.delete(d.deviceId);
        const resultCode = c.attempt <= (d.failFirstAttempts ?? 0) ? 4 : d.resultCode;
        if (resultCode === 1) d.firmwareVersion = c.targetVersion;
        return report('UPDATE_RESULT', { resultCode, firmwareVersion: d.firmwareVersion, softwareVersion: d.firmwareVersion });
      }
    }
  }

  #checkin(d: SimDevice, at: number): Checkin {
    return checkinOf(d, at, (d.offlineUntil ?? 0) <= at);
  }
}
