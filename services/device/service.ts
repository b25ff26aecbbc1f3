import { inputParsers } from '../../contracts/index.ts';
import type { DownloadTokenKeys } from '../../contracts/download-token.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { deviceActor, type DeviceInput, type DeviceState } from './device-actor.ts';
import { withDownloadTokens } from './download-tokens.ts';
import { packedDeviceStates } from './packed-state.ts';
import type { DeviceOutput } from './task.ts';

/**
 * The device service; its package deliveries carry tokens signed with `tokenKeys` (R-SEC-1). Its
 * states are held packed, a campaign's offer terms once per process (packed-state.ts).
 */
export function deviceService(tokenKeys: DownloadTokenKeys): ServiceDefinition<DeviceState, DeviceInput, DeviceOutput> {
  return {
    name: 'device',
    actor: { ...withDownloadTokens(deviceActor, tokenKeys), packed: packedDeviceStates() },
    inputs: inputParsers<DeviceInput>({
      'device-checkins': (checkin) => ({ kind: 'checkin', checkin }),
      'device-status-reports': (report) => ({ kind: 'status', report }),
      'device-campaign': (m) => (m.type === 'offer' ? { kind: 'offer', offer: m } : m.type === 'control' ? { kind: 'control', control: m } : { kind: 'verbose', verbose: m }),
      'cell-grants': (grant) => ({ kind: 'grant', grant }),
    }),
    outputs: ['device-commands', 'campaign-device-results', 'campaign-device-decisions', 'cell-requests', 'verbose-requests'],
    changelog: 'device-changelog',
  };
}
