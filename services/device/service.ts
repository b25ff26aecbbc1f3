import { inputParsers } from '../../contracts/index.ts';
import type { DownloadTokenKeys } from '../../contracts/download-token.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { deviceActorWith, type DeviceInput, type DeviceState } from './device-actor.ts';
import { DynamicCatalog } from './dynamic-catalog.ts';
import { withDownloadTokens } from './download-tokens.ts';
import { packedDeviceStates } from './packed-state.ts';
import type { DeviceOutput } from './task.ts';

/**
 * The device service; its package deliveries carry tokens signed with `tokenKeys` (R-SEC-1), its
 * devices take the running dynamic campaigns of `catalog` (R-SAFE-5), a table the runtime fills,
 * and its states are held packed, a campaign's offer terms once per process (packed-state.ts).
 */
export function deviceService(tokenKeys: DownloadTokenKeys, catalog = new DynamicCatalog()): ServiceDefinition<DeviceState, DeviceInput, DeviceOutput> {
  return {
    name: 'device',
    actor: { ...withDownloadTokens(deviceActorWith(catalog), tokenKeys), packed: packedDeviceStates() },
    inputs: inputParsers<DeviceInput>({
      'device-checkins': (checkin) => ({ kind: 'checkin', checkin }),
      'device-status-reports': (report) => ({ kind: 'status', report }),
      'device-campaign': (m) => (m.type === 'offer' ? { kind: 'offer', offer: m } : m.type === 'control' ? { kind: 'control', control: m } : { kind: 'verbose', verbose: m }),
      'cell-grants': (grant) => ({ kind: 'grant', grant }),
    }),
    outputs: ['device-commands', 'campaign-device-results', 'campaign-device-decisions', 'cell-requests', 'verbose-requests'],
    changelog: 'device-changelog',
    tables: [catalog],
  };
}
