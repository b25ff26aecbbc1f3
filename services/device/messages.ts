import { InvalidMessage } from '../runtime/actor.ts';
import type { CellGrant } from '../cell/messages.ts';

export type Protocol = 'LWM2M' | 'OMA_DM' | 'HTTP' | 'MQTT';

export interface Radio {
  readonly cellId: string;
  readonly rsrp: number | null;
  readonly sinr: number | null;
}

/** schemas/device-checkin.avsc */
export interface Checkin {
  readonly deviceId: string;
  readonly imei: string;
  readonly make: string;
  readonly model: string;
  readonly protocol: Protocol;
  readonly firmwareVersion: string;
  readonly softwareVersion: string;
  readonly clientType: string;
  readonly fotaCapable: boolean;
  readonly connected: boolean;
  readonly radio: Radio | null;
  readonly at: number;
}

export type StatusKind =
  | 'FIRMWARE_VERSION'
  | 'RADIO'
  | 'DOWNLOAD_STARTED'
  | 'DOWNLOAD_PROGRESS'
  | 'DOWNLOADED'
  | 'UPDATE_STARTED'
  | 'UPDATE_RESULT'
  | 'CLIENT_STATUS';

/** schemas/device-status-report.avsc */
export interface StatusReport {
  readonly deviceId: string;
  readonly campaignId: string | null;
  readonly kind: StatusKind;
  readonly firmwareVersion: string | null;
  readonly softwareVersion: string | null;
  readonly radio: Radio | null;
  readonly bytesDownloaded: number | null;
  readonly resultCode: number | null;
  readonly clientStatus: string | null;
  readonly at: number;
}

export interface PackageRef {
  readonly url: string;
  readonly sizeBytes: number;
  readonly checksum: string;
}

export interface Window {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly weekdays: readonly string[];
}

/** What a campaign asks of each of its devices; the same for every device of the campaign. */
export interface OfferTerms {
  readonly api: 'V1' | 'V2';
  readonly protocol: Protocol;
  readonly make: string;
  readonly model: string;
  readonly fromVersions: readonly string[];
  readonly targetVersion: string;
  readonly packageKind: 'FIRMWARE' | 'SOFTWARE';
  readonly package: PackageRef;
  readonly retry: { readonly attempts: number; readonly intervalMinutes: number } | null;
  readonly windows: { readonly update: Window | null; readonly download: Window | null; readonly apply: Window | null };
}

/**
 * Internal contract of otaflow.device.campaign (key: deviceId). Offers and controls of a
 * campaign reach a device on this one topic, so a cancel can never overtake its offer.
 */
export interface Offer extends OfferTerms {
  readonly type: 'offer';
  readonly campaignId: string;
  readonly deviceId: string;
  readonly at: number;
}

export type ControlAction = 'start' | 'cancel' | 'abort' | 'end' | 'remove';

export interface CampaignControl {
  readonly type: 'control';
  readonly campaignId: string;
  readonly deviceId: string;
  readonly action: ControlAction;
  readonly at: number;
}

/**
 * Internal contract of otaflow.campaign.device-decisions (key: campaignId). `Duplicate`
 * answers a second offer of the same campaign: the device was named twice.
 */
export interface DeviceDecision {
  readonly type: 'decision';
  readonly campaignId: string;
  readonly deviceId: string;
  readonly status: 'Accepted' | 'DeviceRejected' | 'Duplicate';
  readonly detail: string;
  readonly at: number;
}

/** Internal contract on otaflow.device.campaign from the verbose logging actor (R-LOG-1). */
export interface VerboseControl {
  readonly type: 'verbose';
  readonly deviceId: string;
  readonly on: boolean;
  readonly at: number;
}

export type DeviceInput =
  | { readonly kind: 'checkin'; readonly checkin: Checkin }
  | { readonly kind: 'status'; readonly report: StatusReport }
  | { readonly kind: 'offer'; readonly offer: Offer }
  | { readonly kind: 'control'; readonly control: CampaignControl }
  | { readonly kind: 'verbose'; readonly verbose: VerboseControl }
  | { readonly kind: 'grant'; readonly grant: CellGrant };

// 3GPP TS 36.133 reporting ranges: a value outside them is a broken report, not a device.
const RSRP_RANGE = [-156, -31] as const;
const SINR_RANGE = [-23, 40] as const;

function checkKey(what: string, deviceId: string, key: string): void {
  if (!deviceId) throw new InvalidMessage(`${what}: deviceId is empty`);
  if (deviceId !== key) throw new InvalidMessage(`${what}: key "${key}" is not its deviceId "${deviceId}"`);
}

function checkRadio(what: string, radio: Radio | null): void {
  if (!radio) return;
  if (!radio.cellId) throw new InvalidMessage(`${what}: radio.cellId is empty`);
  if (radio.rsrp !== null && (radio.rsrp < RSRP_RANGE[0] || radio.rsrp > RSRP_RANGE[1])) {
    throw new InvalidMessage(`${what}: radio.rsrp ${radio.rsrp} dBm is outside ${RSRP_RANGE[0]}..${RSRP_RANGE[1]}`);
  }
  if (radio.sinr !== null && (radio.sinr < SINR_RANGE[0] || radio.sinr > SINR_RANGE[1])) {
    throw new InvalidMessage(`${what}: radio.sinr ${radio.sinr} dB is outside ${SINR_RANGE[0]}..${SINR_RANGE[1]}`);
  }
}

export function parseCheckin(value: unknown, key: string): DeviceInput {
  const c = value as Checkin;
  checkKey('device check-in', c.deviceId, key);
  checkRadio('device check-in', c.radio);
  if (!(c.at > 0)) throw new InvalidMessage('device check-in: "at" must be a positive epoch-millis timestamp');
  return { kind: 'checkin', checkin: c };
}

export function parseStatusReport(value: unknown, key: string): DeviceInput {
  const r = value as StatusReport;
  checkKey('device status report', r.deviceId, key);
  checkRadio('device status report', r.radio);
  if (r.bytesDownloaded !== null && r.bytesDownloaded < 0) throw new InvalidMessage('device status report: bytesDownloaded is negative');
  return { kind: 'status', report: r };
}

const controlActions: ReadonlySet<string> = new Set<ControlAction>(['start', 'cancel', 'abort', 'end', 'remove']);

export function parseCampaignMessage(value: unknown, key: string): DeviceInput {
  const m = value as Offer | CampaignControl | VerboseControl;
  if (m?.type === 'verbose') {
    if (typeof m.on !== 'boolean') throw new InvalidMessage('verbose control: "on" must be a boolean');
    checkKey('verbose control', m.deviceId, key);
    return { kind: 'verbose', verbose: m };
  }
  if (m?.type === 'control') {
    if (typeof m.campaignId !== 'string' || !controlActions.has(m.action)) {
      throw new InvalidMessage('campaign control: expected {type: "control", campaignId, deviceId, action: start|cancel|abort|end|remove, at}');
    }
    checkKey('campaign control', m.deviceId, key);
    return { kind: 'control', control: m };
  }
  if (m?.type !== 'offer' || typeof m.campaignId !== 'string' || typeof m.targetVersion !== 'string' || !Array.isArray(m.fromVersions) || !m.package || !m.windows) {
    throw new InvalidMessage('device offer: expected {type: "offer", campaignId, targetVersion, fromVersions[], package, windows, ...}');
  }
  checkKey('device offer', m.deviceId, key);
  return { kind: 'offer', offer: m };
}

export function parseGrant(value: unknown, key: string): DeviceInput {
  const g = value as CellGrant;
  if (g?.type !== 'grant' || typeof g.cellId !== 'string' || typeof g.campaignId !== 'string' || typeof g.attempt !== 'number') {
    throw new InvalidMessage('cell grant: expected {type: "grant", cellId, deviceId, campaignId, attempt, ...}');
  }
  checkKey('cell grant', g.deviceId, key);
  return { kind: 'grant', grant: g };
}
