import { cellIdOnly } from '../../services/cell/cell-limit.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { Protocol, Radio } from '../../contracts/common.ts';

/**
 * A deterministic simulated fleet: devices spread over cells whose radio quality is one
 * of three classes, so cells get every R-CELL-1 limit (50, 10 and 1).
 */
export interface SimDevice extends Pick<Checkin, 'deviceId' | 'imei' | 'make' | 'model' | 'protocol' | 'firmwareVersion'> {
  readonly cellId: string;
  readonly rsrp: number;
  readonly sinr: number;
  /** LwM2M result code the device reports after the upgrade (1 = success, R-RES-2). */
  readonly resultCode: number;
  /** HTTP: the R-RES-3 client code it reports instead of installing, if any. */
  readonly clientFailure?: string;
  /** Until this virtual instant the device is offline: it checks in disconnected and answers nothing. */
  readonly offlineUntil?: number;
  /**
   * Commands it never answers (to let the platform's timeouts fire, R-FLOW-4); silent on
   * QUERY_RADIO alone, it still gives its cell id to QUERY_CELL_ID (R-CELL-1).
   */
  readonly silentOn?: readonly string[];
  /** It has no cell id to give: it checks in without radio and answers neither QUERY_RADIO nor QUERY_CELL_ID. */
  readonly withoutCellId?: boolean;
  /** Attempts that end with "connection lost" (code 4) before it succeeds (R-REQ-3 retries). */
  readonly failFirstAttempts?: number;
}

export interface FleetOptions {
  readonly devices: number;
  readonly cells: number;
  readonly idPrefix: string;
  readonly make?: string;
  readonly model?: string;
  readonly fromVersion?: string;
  /** Share of devices that report result code 8 (firmware update failed). */
  readonly failureRate?: number;
  readonly seed?: number;
  /** Protocols assigned round-robin (default LWM2M only). */
  readonly protocols?: readonly Protocol[];
  /**
   * The radio a device of a cell reports; `random` is the fleet's seeded generator. Default:
   * cell i gets radio class i % 3, so cells see every R-CELL-1 limit.
   */
  readonly radioOf?: (cell: number, random: () => number) => { readonly rsrp: number; readonly sinr: number };
}

/** Radio classes: [rsrp dBm, sinr dB] → R-CELL-1 limit under the default ranges. */
export const radioClasses = [
  { rsrp: -90, sinr: 12, limit: 50 },
  { rsrp: -98, sinr: 2, limit: 10 },
  { rsrp: -110, sinr: -6, limit: 1 },
] as const;

export function luhnImei(body14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = body14.charCodeAt(13 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body14 + String((10 - (sum % 10)) % 10);
}

/** A small seeded generator (mulberry32): runs that use it can be replayed from their seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const clientTypeOf: Readonly<Record<Protocol, string>> = { LWM2M: 'LWM2M_CLIENT', OMA_DM: 'OMA_DM_CLIENT', HTTP: 'ROVA_CLIENT', MQTT: 'MQTT_CLIENT' };

/** The check-in a simulated device sends at `at`, with the firmware version it runs then; LwM2M devices report their radio. */
export function checkinOf(d: SimDevice, at: number, online: boolean): Checkin {
  return {
    deviceId: d.deviceId,
    imei: d.imei,
    make: d.make,
    model: d.model,
    protocol: d.protocol,
    firmwareVersion: d.firmwareVersion,
    softwareVersion: d.firmwareVersion,
    clientType: clientTypeOf[d.protocol],
    fotaCapable: true,
    connected: online,
    radio: d.protocol === 'LWM2M' && !d.withoutCellId ? { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr } : null,
    at,
  };
}

/** Whether the device answers a command of this kind (when online). */
export function answers(d: SimDevice, kind: string): boolean {
  if (d.withoutCellId && (kind === 'QUERY_RADIO' || kind === 'QUERY_CELL_ID')) return false;
  return !d.silentOn?.includes(kind);
}

/**
 * R-CELL-1: what the platform learns of the device's cell: its measured radio, only its cell id
 * when the radio query goes unanswered (the cell then allows 10), or nothing.
 */
export function learnedRadio(d: SimDevice): Radio | null {
  if (answers(d, 'QUERY_RADIO')) return { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr };
  if (answers(d, 'QUERY_CELL_ID')) return { cellId: d.cellId, ...cellIdOnly };
  return null;
}

export function cellIdOf(idPrefix: string, i: number): string {
  return `${idPrefix}cell-${String(i).padStart(3, '0')}`;
}

export function generateFleet(o: FleetOptions): SimDevice[] {
  const rnd = seededRandom(o.seed ?? 42);
  return Array.from({ length: o.devices }, (_, i) => {
    const cell = i % o.cells;
    const radio = o.radioOf?.(cell, rnd) ?? radioClasses[cell % radioClasses.length]!;
    return {
      deviceId: `${o.idPrefix}dev-${String(i).padStart(6, '0')}`,
      imei: luhnImei(`35${String(100000000000 + i).padStart(12, '0')}`),
      make: o.make ?? 'Acme',
      model: o.model ?? 'Sensor-1',
      protocol: o.protocols?.[i % o.protocols.length] ?? 'LWM2M',
      firmwareVersion: o.fromVersion ?? '1.0.0',
      cellId: cellIdOf(o.idPrefix, cell),
      rsrp: radio.rsrp,
      sinr: radio.sinr,
      resultCode: rnd() < (o.failureRate ?? 0) ? 8 : 1,
    };
  });
}
