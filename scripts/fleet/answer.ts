import type { Checkin } from '../../contracts/device-checkins.ts';
import type { DeviceCommand } from '../../contracts/device-commands.ts';
import type { StatusKind, StatusReport } from '../../contracts/device-status-reports.ts';
import { httpProgress } from '../../services/device/task.ts';
import { answers, checkinOf, type SimDevice } from './fleet.ts';

/** What a simulated device does about one command. */
export interface Answer {
  /** The device afterwards: an upgrade that succeeded changes its firmware version. */
  readonly device: SimDevice;
  readonly reports: StatusReport[];
  readonly checkins: Checkin[];
  /**
   * R-CELL-3 as the device sees it: an LwM2M device holds its cell's package from delivery
   * (`held`) until the upgrade command (`released`).
   */
  readonly package: 'held' | 'released' | null;
}

export const online = (d: SimDevice, now: number) => (d.offlineUntil ?? 0) <= now;

/** The check-in a simulated device sends at `now`, connected unless it is offline then. */
export const checkinAt = (d: SimDevice, now: number): Checkin => checkinOf(d, now, online(d, now));

/**
 * How a device of its protocol answers a device command at `now`, as the fleet simulator plays
 * it over Kafka and the tests on the in-memory topology driver: PUSH → a check-in;
 * QUERY_VERSION → FIRMWARE_VERSION; QUERY_RADIO → RADIO; QUERY_CELL_ID → CELL_ID (the cell id
 * alone); DELIVER_PACKAGE → DOWNLOADED (LwM2M), the upgrade's result (MQTT), or the client's
 * download status (HTTP); UPGRADE → UPDATE_RESULT with its result code (code 4, connection lost,
 * for its first `failFirstAttempts` attempts), or the HTTP client's install status. Other
 * commands need no answer. An offline device answers nothing, nor does one silent on the kind.
 */
export function answer(d: SimDevice, c: DeviceCommand, now: number): Answer {
  const none: Answer = { device: d, reports: [], checkins: [], package: null };
  if (!online(d, now) || !answers(d, c.kind)) return none;
  const report = (kind: StatusKind, extra: Partial<StatusReport> = {}, device = d, pkg: Answer['package'] = null): Answer => ({
    device,
    checkins: [],
    package: pkg,
    reports: [{ deviceId: d.deviceId, campaignId: c.campaignId, kind, firmwareVersion: null, softwareVersion: null, radio: null, bytesDownloaded: null, resultCode: null, clientStatus: null, at: now, ...extra }],
  });
  switch (c.kind) {
    case 'PUSH':
      return { ...none, checkins: [checkinAt(d, now)] };
    case 'QUERY_VERSION':
      return report('FIRMWARE_VERSION', { firmwareVersion: d.firmwareVersion, softwareVersion: d.firmwareVersion });
    case 'QUERY_RADIO':
      return report('RADIO', { radio: { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr } });
    case 'QUERY_CELL_ID':
      return report('CELL_ID', { radio: { cellId: d.cellId, rsrp: null, sinr: null } });
    case 'DELIVER_PACKAGE':
      if (d.protocol === 'HTTP') return report('CLIENT_STATUS', { clientStatus: httpProgress.downloaded });
      if (d.protocol === 'MQTT') return upgraded(d, c, report);
      return report('DOWNLOADED', {}, d, 'held');
    case 'UPGRADE':
      if (d.protocol !== 'HTTP') return { ...upgraded(d, c, report), package: 'released' };
      if (d.clientFailure) return report('CLIENT_STATUS', { clientStatus: d.clientFailure }, d, 'released');
      return report('CLIENT_STATUS', { clientStatus: httpProgress.installed }, { ...d, firmwareVersion: c.targetVersion }, 'released');
    default:
      return none;
  }
}

function upgraded(d: SimDevice, c: DeviceCommand, report: (kind: StatusKind, extra: Partial<StatusReport>, device: SimDevice) => Answer): Answer {
  const resultCode = c.attempt <= (d.failFirstAttempts ?? 0) ? 4 : d.resultCode;
  const device = resultCode === 1 ? { ...d, firmwareVersion: c.targetVersion } : d;
  return report('UPDATE_RESULT', { resultCode, firmwareVersion: device.firmwareVersion, softwareVersion: device.firmwareVersion }, device);
}

/**
 * How many devices of each cell hold a package at once, counted from the devices' answers
 * alone, apart from the cell actor's bookkeeping (R-CELL-3 as the devices see it).
 */
export class PackageHolders {
  readonly #holding = new Map<string, Set<string>>();
  readonly peakByCell = new Map<string, number>();

  note(d: SimDevice, a: Answer): void {
    if (a.package === 'released') this.#holding.get(d.cellId)?.delete(d.deviceId);
    if (a.package !== 'held') return;
    const holders = this.#holding.get(d.cellId) ?? this.#holding.set(d.cellId, new Set()).get(d.cellId)!;
    holders.add(d.deviceId);
    this.peakByCell.set(d.cellId, Math.max(this.peakByCell.get(d.cellId) ?? 0, holders.size));
  }
}
