import type { Checkin, Offer } from './messages.ts';

/**
 * R-REQ-4: every offered device gets exactly one decision. The details are the carrier
 * API's own strings (seeds/001), v1 wording for LWM2M/OMA-DM, v2 for HTTP and MQTT.
 */
export const rejection = {
  notFound: 'Device not found.',
  invalidImei: 'Invalid device IMEI.',
  notEligible: 'Device not eligible for service (not FOTA capable)',
  taskConflict: 'Device scheduled for firmware upgrade previously, needs to be completed before another upgrade is scheduled.',
  makeModel: 'Device make/model does not meet firmware prerequisites.',
  version: 'Current device firmware version does not meet firmware prerequisites.',
  notConnected: 'Device is not in active state or is not connected.',
} as const;

export const accepted = 'Device cleared all checks so it can be added to the scheduled list.';

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

/** `undefined` means accepted. `busyWith` is the campaign of the device's unfinished task (R-DEV-3). */
export function rejectionOf(profile: Checkin | undefined, offer: Offer, busyWith: string | undefined): string | undefined {
  if (!profile) return rejection.notFound;
  if (!validImei(profile.imei)) return rejection.invalidImei;
  if (!profile.fotaCapable) return rejection.notEligible;
  if (busyWith !== undefined && busyWith !== offer.campaignId) return rejection.taskConflict;
  if (profile.make !== offer.make || profile.model !== offer.model) return rejection.makeModel;
  if (!offer.fromVersions.includes(currentVersion(profile, offer.packageKind))) return rejection.version;
  if (offer.api === 'V2' && !profile.connected) return rejection.notConnected;
  return undefined;
}
