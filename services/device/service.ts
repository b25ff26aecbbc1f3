import type { ServiceDefinition } from '../runtime/service.ts';
import { deviceActor, type DeviceState } from './device-actor.ts';
import { parseCheckin, parseGrant, parseOffer, parseStatusReport, type DeviceInput } from './messages.ts';

export const deviceService: ServiceDefinition<DeviceState, DeviceInput> = {
  name: 'device',
  actor: deviceActor,
  inputs: {
    'device-checkins': parseCheckin,
    'device-status-reports': parseStatusReport,
    'device-offers': parseOffer,
    'cell-grants': parseGrant,
  },
  outputs: ['device-commands', 'campaign-device-results', 'campaign-device-decisions', 'cell-requests'],
  changelog: 'device-changelog',
};
