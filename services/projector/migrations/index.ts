import type { Migration, MigrationProvider } from 'kysely/migration';
import * as projectionOffsets from './20261124T1200-projection-offsets.ts';
import * as campaigns from './20261124T1201-campaigns.ts';
import * as cellUtilisation from './20261124T1202-cell-utilisation.ts';
import * as offsetsPerCluster from './20261124T1300-offsets-per-cluster.ts';
import * as campaignDevices from './20261124T1400-campaign-devices.ts';
import * as pilotSuccess from './20261124T1401-pilot-success.ts';
import * as deviceCheckins from './20261124T1501-device-checkins.ts';
import * as verboseLogging from './20261124T1502-verbose-logging.ts';
import * as campaignSchedule from './20261124T1503-campaign-schedule.ts';
import * as campaignRollout from './20261130T1000-campaign-rollout.ts';
import * as campaignAudit from './20261130T1400-campaign-audit.ts';

/** Every schema change is a timestamp-named migration listed here, in order. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '20261124T1200-projection-offsets': projectionOffsets,
      '20261124T1201-campaigns': campaigns,
      '20261124T1202-cell-utilisation': cellUtilisation,
      '20261124T1300-offsets-per-cluster': offsetsPerCluster,
      '20261124T1400-campaign-devices': campaignDevices,
      '20261124T1401-pilot-success': pilotSuccess,
      '20261124T1501-device-checkins': deviceCheckins,
      '20261124T1502-verbose-logging': verboseLogging,
      '20261124T1503-campaign-schedule': campaignSchedule,
      '20261130T1000-campaign-rollout': campaignRollout,
      '20261130T1400-campaign-audit': campaignAudit,
    };
  },
};
