// Only Kafka shows this: requests on partitions owned by different instances still meet in one device actor (keying and co-partitioning); the rule itself is in rules-requests.unit.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { details } from '../services/device/acceptance.ts';
import type { DeviceDecision } from '../contracts/campaign-device-decisions.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { FleetSimulator } from '../scripts/fleet/simulator.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { caughtUp, produce } from '../scripts/lib/kafka.ts';
import { partitionOf } from '../services/runtime/kafka/client.ts';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';

/** Two campaign ids whose partitions fall to different members of a two-member group. */
function idsOnDifferentInstances(prefix: string, partitions: number): [string, string] {
  const first = `${prefix}claim-a`;
  for (let i = 0; ; i++) {
    const second = `${prefix}claim-b${i}`;
    if (partitionOf(second, partitions) % 2 !== partitionOf(first, partitions) % 2) return [first, second];
  }
}

describe('one task per device across instances', () => {
  let t: Topology;
  const processes: ServiceProcess[] = [];
  beforeAll(async () => {
    t = await createTopology('claim');
    for (const name of ['campaign', 'members', 'device'])
      for (const instance of ['a', 'b']) {
        const p = new ServiceProcess(name, t.env, `${t.prefix}${instance}`);
        p.start(instance);
        processes.push(p);
      }
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await t?.dispose();
  });

  it('R-DEV-3, R-REQ-4: two campaigns naming the same devices at the same instant, on two instances, never both accept a device', async () => {
    const fleet = generateFleet({ devices: 150, cells: 5, idPrefix: t.prefix });
    const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now: Date.now });
    await simulator.checkInAll();
    await waitFor('both device instances to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 120_000, 200);
    const decisions = await TopicRecorder.start<DeviceDecision>(t, 'campaign-device-decisions');
    try {
      const [k1, k2] = idsOnDifferentInstances(t.prefix, t.partitions);
      const encode = (id: string) => t.codecs.get('campaign-commands')!.encode(scheduleCommand(id, fleet));
      // One send: both requests reach the broker together, on different partitions.
      await produce(t, 'campaign-commands', [
        { key: k1, value: encode(k1) },
        { key: k2, value: encode(k2) },
      ]);
      await waitFor('every device to decide both campaigns', () => decisions.records.length >= 2 * fleet.length, 120_000, 100);

      const byDevice = new Map<string, DeviceDecision[]>();
      for (const d of decisions.values()) byDevice.set(d.deviceId, [...(byDevice.get(d.deviceId) ?? []), d]);
      expect(byDevice.size).toBe(fleet.length);
      for (const [deviceId, ds] of byDevice) {
        expect(ds.map((d) => d.campaignId).sort(), deviceId).toEqual([k1, k2].sort());
        expect(ds.filter((d) => d.status === 'Accepted'), deviceId).toHaveLength(1);
        expect(ds.find((d) => d.status === 'DeviceRejected')?.detail, deviceId).toBe(details.V1.taskConflict);
      }
      const wins = (k: string) => decisions.values().filter((d) => d.campaignId === k && d.status === 'Accepted').length;
      expect(wins(k1) + wins(k2)).toBe(fleet.length);
    } finally {
      await decisions.stop();
    }
  });
});
