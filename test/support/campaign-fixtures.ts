import type { CampaignRequest } from '../../contracts/campaign-commands.ts';

/** A valid on-demand v1 LwM2M request: the base the campaign deciders' tests change. */
export const v1Request: CampaignRequest = {
  api: 'V1',
  protocol: 'LWM2M',
  make: 'Acme',
  model: 'S1',
  fromVersions: ['1.0'],
  targetVersion: '2.0',
  packageKind: 'FIRMWARE',
  package: { url: 'https://fw.example/2.0.bin', sizeBytes: 1000, checksum: `sha256:${'0f'.repeat(32)}` },
  schedule: { kind: 'ON_DEMAND', startAt: null, endAt: null, window: null, downloadWindow: null, applyWindow: null },
  retry: { attempts: 2, intervalMinutes: 5 },
  pilot: false,
};
