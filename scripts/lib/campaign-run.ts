import { createHash, randomUUID } from 'node:crypto';
import type { CampaignCommand, CampaignRequest } from '../../contracts/campaign-commands.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import type { CellEvent } from '../../contracts/cell-events.ts';
import type { SimDevice } from '../fleet/fleet.ts';
import { FleetSimulator } from '../fleet/simulator.ts';
import { caughtUp, produce } from './kafka.ts';
import { TopicRecorder } from './topic-recorder.ts';
import type { Topology } from './topology.ts';
import { waitFor } from './wait-for.ts';

export interface CampaignRun {
  readonly campaignId: string;
  readonly fleet: readonly SimDevice[];
  readonly simulator: FleetSimulator;
  /** This campaign's results as published, duplicates included. */
  readonly results: TopicRecorder<DeviceResult>;
  /** This campaign's cell events. */
  readonly cellEvents: TopicRecorder<CellEvent>;
  stop(): Promise<void>;
}

export function scheduleCommand(campaignId: string, fleet: readonly Pick<SimDevice, 'deviceId' | 'protocol' | 'make' | 'model' | 'firmwareVersion'>[], targetVersion = '2.0.0'): CampaignCommand & { request: NonNullable<CampaignCommand['request']> } {
  const first = fleet[0]!;
  const url = `https://firmware.example/${first.make}/${first.model}/${targetVersion}.bin`;
  return {
    commandId: randomUUID(),
    campaignId,
    type: 'SCHEDULE',
    request: {
      api: 'V1',
      protocol: first.protocol,
      make: first.make,
      model: first.model,
      fromVersions: [...new Set(fleet.map((d) => d.firmwareVersion))],
      targetVersion,
      packageKind: 'FIRMWARE',
      // No image is ever fetched: the checksum is that of the URL, in the format a request needs.
      package: { url, sizeBytes: 4_194_304, checksum: `sha256:${createHash('sha256').update(url).digest('hex')}` },
      schedule: { kind: 'ON_DEMAND', startAt: null, endAt: null, window: null, downloadWindow: null, applyWindow: null },
      // No retries by default: a failure is final at once (tests that exercise R-REQ-3 set them).
      retry: { attempts: 0, intervalMinutes: 1 },
      pilot: false,
    },
    deviceIds: fleet.map((d) => d.deviceId),
    part: 0,
    parts: 1,
    deviceCount: null,
    at: Date.now(),
  };
}

/**
 * Checks a simulated fleet in, waits until the device service has read every check-in,
 * and schedules one on-demand campaign for the whole fleet (with `changes` to its request, such
 * as a start rate or waves).
 */
export async function launchCampaign(t: Topology, fleet: readonly SimDevice[], campaignId: string, now: () => number = Date.now, changes: Partial<CampaignRequest> = {}): Promise<CampaignRun> {
  // Only this campaign's records, from now on: the topics may hold earlier runs' campaigns.
  const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now });
  // Each joins a consumer group of its own: in parallel, they take one join's time.
  const [results, cellEvents] = await Promise.all([
    TopicRecorder.start<DeviceResult>(t, 'campaign-device-results', { from: 'now', keep: (r) => r.key === campaignId }),
    TopicRecorder.start<CellEvent>(t, 'cell-events', { from: 'now', keep: (r) => r.value.campaignId === campaignId }),
    simulator.start(),
  ]);
  await simulator.checkInAll();
  await waitFor('the device service to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 120_000, 200);
  const command = scheduleCommand(campaignId, fleet);
  await produce(t, 'campaign-commands', [{ key: campaignId, value: t.codecs.get('campaign-commands')!.encode({ ...command, request: { ...command.request, ...changes } }) }]);
  return {
    campaignId,
    fleet,
    simulator,
    results,
    cellEvents,
    async stop() {
      await Promise.all([simulator.stop(), results.stop(), cellEvents.stop()]);
    },
  };
}

/** R-RES-4: what a downstream consumer sees once it drops repeats of campaign + device + attempt. */
export function dedupedResults(results: readonly DeviceResult[]): DeviceResult[] {
  return [...new Map(results.map((r) => [`${r.campaignId}\u0000${r.deviceId}\u0000${r.attempt}`, r])).values()];
}
