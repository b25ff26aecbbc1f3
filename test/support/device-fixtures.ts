import { luhnImei } from '../../scripts/fleet/fleet.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { Offer } from '../../contracts/device-campaign.ts';
import { v1Request } from './campaign-fixtures.ts';

export const profile: Checkin = {
  deviceId: 'd1',
  imei: luhnImei('35000000000001'),
  make: 'Acme',
  model: 'S1',
  protocol: 'LWM2M',
  firmwareVersion: '1.0',
  softwareVersion: '1.0',
  clientType: 'LWM2M_CLIENT',
  fotaCapable: true,
  connected: true,
  radio: { cellId: 'c1', rsrp: -90, sinr: 12 },
  at: 1,
};

const { schedule: _schedule, pilot: _pilot, ...terms } = v1Request;

/** The offer of campaign `k1` (the request of ./campaign-fixtures.ts) to device `d1`. */
export const offer: Offer = { type: 'offer', campaignId: 'k1', deviceId: 'd1', ...terms, windows: { update: null, download: null, apply: null }, at: 1 };
