import type { Checkin } from '../../contracts/device-checkins.ts';
import type { Offer } from '../../contracts/device-campaign.ts';
import type { Api, Protocol } from '../../contracts/common.ts';

/**
 * R-REQ-4: every offered device gets exactly one decision, with the carrier API's own
 * detail strings (seeds/001): the v1 table for LWM2M/OMA-DM, the v2 table for HTTP and
 * MQTT. They are kept verbatim, spelling included, because clients match on them.
 */
export type Rejection = 'notFound' | 'invalidImei' | 'notEligible' | 'unknownClient' | 'taskConflict' | 'makeModel' | 'version' | 'notConnected';

export const details: Readonly<Record<Api, Readonly<Record<Rejection | 'accepted', string>>>> = {
  V1: {
    accepted: 'Device cleared all check so it can be added to the scheduled list.',
    notFound: 'Device not found.',
    invalidImei: 'Invalid Device IMEI.',
    notEligible: 'Device not eligible for service.',
    unknownClient: 'Unknown client device type.',
    taskConflict: 'Device scheduled for firmware-upgrade previously, it needs to be completed before another upgrade is schedule.',
    makeModel: 'Device make/model do not meet firmware prerequisites.',
    version: 'Current device firmeware version does not meet firmware prerequisites.',
    notConnected: 'Device is not in an active state or is not connected.',
  },
  V2: {
    accepted: 'Device cleared all checks so it can be added to the scheduled list.',
    notFound: 'Device not found.',
    invalidImei: 'Invalid device IMEI.',
    notEligible: 'Device not eligible for service (not FOTA capable)',
    unknownClient: 'Unknown client device type.',
    taskConflict: 'Device scheduled for firmware upgrade previously, needs to be completed before another upgrade is scheduled.',
    makeModel: 'Device make/model does not meet softwware prerequisites.',
    version: 'Current device software version does not meet software prerequisites.',
    notConnected: 'Device is not in active state or is not connected.',
  },
};

/**
 * Client types a campaign of each protocol can drive (decision: one client per protocol
 * family; a device reporting another client type is "unknown" to that campaign).
 */
export const knownClientTypes: Readonly<Record<Protocol, readonly string[]>> = {
  LWM2M: ['LWM2M_CLIENT'],
  OMA_DM: ['OMA_DM_CLIENT'],
  HTTP: ['ROVA_CLIENT'],
  MQTT: ['MQTT_CLIENT'],
};

/** R-DEV-1: 15 digits whose last is the Luhn check digit. */
export function validImei(imei: string): boolean {
  if (!/^\d{15}$/.test(imei)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = imei.charCodeAt(14 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function currentVersion(profile: Checkin, kind: Offer['packageKind']): string {
  return kind === 'FIRMWARE' ? profile.firmwareVersion : profile.softwareVersion;
}

/** `undefined` means accepted. `busyWith` names the device's unfinished task (R-DEV-3). */
export function rejectionOf(profile: Checkin | null, offer: Offer, busyWith: string | undefined): Rejection | undefined {
  if (!profile) return 'notFound';
  if (!validImei(profile.imei)) return 'invalidImei';
  if (!profile.fotaCapable) return 'notEligible';
  if (!knownClientTypes[offer.protocol].includes(profile.clientType)) return 'unknownClient';
  if (busyWith !== undefined && busyWith !== offer.campaignId) return 'taskConflict';
  if (profile.make !== offer.make || profile.model !== offer.model) return 'makeModel';
  if (!offer.fromVersions.includes(currentVersion(profile, offer.packageKind))) return 'version';
  // The v2 (HTTP) API refuses unconnected devices; MQTT devices are waited for instead (R-FLOW-2).
  if (offer.protocol === 'HTTP' && !profile.connected) return 'notConnected';
  return undefined;
}
