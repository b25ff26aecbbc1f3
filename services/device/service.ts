import { inputParsers } from '../../contracts/index.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { deviceActor, type DeviceInput, type DeviceState } from './device-actor.ts';
import type { DeviceOutput } from './task.ts';

export const deviceService: ServiceDefinition<DeviceState, DeviceInput, DeviceOutput> = {
  name: 'device',
  actor: deviceActor,
  inputs: inputParsers<DeviceInput>({
    'device-checkins': (checkin) => ({ kind: 'checkin', checkin }),
    'device-status-reports': (report) => ({ kind: 'status', report }),
    'device-campaign': (m) => (m.type === 'offer' ? { kind: 'offer', offer: m } : m.type === 'control' ? { kind: 'control', control: m } : { kind: 'verbose', verbose: m }),
    'cell-grants': (grant) => ({ kind: 'grant', grant }),
  }),
  outputs: ['device-commands', 'campaign-device-results', 'campaign-device-decisions', 'cell-requests', 'verbose-requests'],
  changelog: 'device-changelog',
};
