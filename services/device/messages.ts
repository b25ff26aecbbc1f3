import { InvalidMessage, type ParseContext } from '../runtime/actor.ts';
import { fieldsOf, stringRules, type FieldChecks } from '../runtime/fields.ts';
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
  | 'CLIENT_STATUS'
  | 'CELL_ID';

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

const { id, name, requiredName } = stringRules;

function checkRadio(check: FieldChecks, radio: Radio | null): void {
  if (!radio) return;
  check.id('radio.cellId', radio.cellId);
  check.number('radio.rsrp', radio.rsrp, { nullable: true, range: RSRP_RANGE, unit: 'dBm' });
  check.number('radio.sinr', radio.sinr, { nullable: true, range: SINR_RANGE, unit: 'dB' });
}

export function parseCheckin(value: unknown, key: string, context: ParseContext): DeviceInput {
  const c = value as Checkin;
  const check = fieldsOf('device check-in');
  check.key('deviceId', c.deviceId, key);
  // An invalid IMEI or an unknown client type is the device's answer to an offer (R-REQ-4), not a broken record.
  check.string('imei', c.imei, name);
  check.string('clientType', c.clientType, name);
  check.string('make', c.make, requiredName);
  check.string('model', c.model, requiredName);
  check.string('firmwareVersion', c.firmwareVersion, requiredName);
  check.string('softwareVersion', c.softwareVersion, requiredName);
  checkRadio(check, c.radio);
  // A check-in ahead of the clock would make every later, genuine one look older (R-DEV-2).
  check.timestamp('at', c.at, context);
  return { kind: 'checkin', checkin: c };
}

export function parseStatusReport(value: unknown, key: string, context: ParseContext): DeviceInput {
  const r = value as StatusReport;
  const check = fieldsOf('device status report');
  check.key('deviceId', r.deviceId, key);
  check.string('campaignId', r.campaignId, { ...id, nullable: true });
  check.string('firmwareVersion', r.firmwareVersion, { ...requiredName, nullable: true });
  check.string('softwareVersion', r.softwareVersion, { ...requiredName, nullable: true });
  checkRadio(check, r.radio);
  check.number('bytesDownloaded', r.bytesDownloaded, { nullable: true, integer: true, range: [0, Number.MAX_SAFE_INTEGER] });
  check.number('resultCode', r.resultCode, { nullable: true, integer: true });
  check.string('clientStatus', r.clientStatus, { ...name, nullable: true });
  check.timestamp('at', r.at, context);
  return { kind: 'status', report: r };
}

const controlActions: ReadonlySet<string> = new Set<ControlAction>(['start', 'cancel', 'abort', 'end', 'remove']);

export function parseCampaignMessage(value: unknown, key: string): DeviceInput {
  const m = value as Offer | CampaignControl | VerboseControl;
  if (m?.type === 'verbose') {
    if (typeof m.on !== 'boolean') throw new InvalidMessage('verbose control: "on" must be a boolean');
    fieldsOf('verbose control').key('deviceId', m.deviceId, key);
    return { kind: 'verbose', verbose: m };
  }
  if (m?.type === 'control') {
    if (typeof m.campaignId !== 'string' || !controlActions.has(m.action)) {
      throw new InvalidMessage('campaign control: expected {type: "control", campaignId, deviceId, action: start|cancel|abort|end|remove, at}');
    }
    fieldsOf('campaign control').key('deviceId', m.deviceId, key);
    return { kind: 'control', control: m };
  }
  if (m?.type !== 'offer' || typeof m.campaignId !== 'string' || typeof m.targetVersion !== 'string' || !Array.isArray(m.fromVersions) || !m.package || !m.windows) {
    throw new InvalidMessage('device offer: expected {type: "offer", campaignId, targetVersion, fromVersions[], package, windows, ...}');
  }
  fieldsOf('device offer').key('deviceId', m.deviceId, key);
  return { kind: 'offer', offer: m };
}

export function parseGrant(value: unknown, key: string): DeviceInput {
  const g = value as CellGrant;
  if (g?.type !== 'grant' || typeof g.cellId !== 'string' || typeof g.campaignId !== 'string' || typeof g.attempt !== 'number') {
    throw new InvalidMessage('cell grant: expected {type: "grant", cellId, deviceId, campaignId, attempt, ...}');
  }
  fieldsOf('cell grant').key('deviceId', g.deviceId, key);
  return { kind: 'grant', grant: g };
}
