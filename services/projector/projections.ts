import { campaignAuditProjection } from './campaign-audit/index.ts';
import { campaignDevicesProjection } from './campaign-devices/index.ts';
import { campaignsProjection } from './campaigns/index.ts';
import { cellUtilisationProjection } from './cell-utilisation/index.ts';
import { deviceCheckinsProjection } from './device-checkins/index.ts';
import { pilotSuccessProjection } from './pilot-success/index.ts';
import type { AnyProjection } from './projection.ts';
import { verboseLoggingProjection } from './verbose-logging/index.ts';

/** Every projection the projector runs and `npm run rebuild` can rebuild. */
export const projections: readonly AnyProjection[] = [campaignsProjection, campaignDevicesProjection, cellUtilisationProjection, pilotSuccessProjection, deviceCheckinsProjection, verboseLoggingProjection, campaignAuditProjection];

export function projectionNamed(name: string): AnyProjection {
  const found = projections.find((p) => p.name === name);
  if (!found) throw new Error(`no projection named "${name}"; known: ${projections.map((p) => p.name).join(', ')}`);
  return found;
}
