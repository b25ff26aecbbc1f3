import { luhnImei } from '../../scripts/fleet/fleet.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { Offer } from '../../contracts/device-campaign.ts';

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

export const offer: Offer = {
  type: 'offer',
  campaignId: 'k1',
  deviceId: 'd1',
  api: 'V1',
  protocol: 'LWM2M',
  make: 'Acme',
  model: 'S1',
  fromVersions: ['1.0'],
  targetVersion: '2.0',
  packageKind: 'FIRMWARE',
  package: { url: 'https://fw.example/2.0.bin', sizeBytes: 1000, checksum: 'sha256:00' },
  retry: { attempts: 2, intervalMinutes: 5 },
  windows: { update: null, download: null, apply: null },
  at: 1,
};
