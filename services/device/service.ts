import type { ServiceDefinition } from '../runtime/service.ts';
import { deviceActor, type DeviceState } from './device-actor.ts';
import { parseCampaignMessage, parseCheckin, parseGrant, parseStatusReport, type DeviceInput } from './messages.ts';

export const deviceService: ServiceDefinition<DeviceState, DeviceInput> = {
  name: 'device',
  actor: deviceActor,
  inputs: {
    'device-checkins': parseCheckin,
    'device-status-reports': parseStatusReport,
    'device-campaign': parseCampaignMessage,
    'cell-grants': parseGrant,
  },
  outputs: ['device-commands', 'campaign-device-results', 'campaign-device-decisions', 'cell-requests', 'verbose-requests'],
  changelog: 'device-changelog',
};
