// Kept on the real stack by issue 14 (R-SAFE-5): the catalog of dynamic campaigns crosses processes over a compacted topic the device service reads whole, with an accelerated clock to reach the end date.
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignCommand } from '../contracts/campaign-commands.ts';
import type { DeviceDecision } from '../contracts/campaign-device-decisions.ts';
import type { DeviceResult } from '../contracts/campaign-device-results.ts';
import type { CampaignEvent } from '../contracts/campaign-events.ts';
import type { DynamicCampaignRecord } from '../contracts/dynamic-campaigns.ts';
import { checkinAt } from '../scripts/fleet/answer.ts';
import { generateFleet, radioClasses, type SimDevice } from '../scripts/fleet/fleet.ts';
import { FleetSimulator } from '../scripts/fleet/simulator.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import { caughtUp, produce } from '../scripts/lib/kafka.ts';
import { partitionOf } from '../services/runtime/kafka/client.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { acceleratedClockSpec, parseClock } from '../services/runtime/clock.ts';
import type { RequestChanges } from './support/driver-campaigns.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

// A virtual minute in 3 real seconds: the campaign's end date comes within the test.
const clockSpec = acceleratedClockSpec(20, Date.now());
const clock = parseClock(clockSpec);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('dynamic campaigns on the real stack', () => {
  const suite = pipelineSuite('dynamic-campaign', { OTAFLOW_CLOCK: clockSpec });
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  afterAll(() => db.destroy());

  it('R-SAFE-5: devices checking in after a dynamic campaign started are offered it if they match and are free, upgrade and get results; after its end date a matching device is not offered', async () => {
    const { t } = suite;
    const campaignId = `${t.prefix}dynamic`;
    const otherCampaignId = `${t.prefix}busy`;
    const changes: Partial<SimDevice>[] = [{}, {}, {}, { model: 'Other' }, { firmwareVersion: '0.9.0' }, {}, {}];
    const [member, late1, late2, otherModel, otherVersion, busy, afterEnd] = generateFleet({ devices: changes.length, cells: 1, idPrefix: `${t.prefix}dy-`, seed: 14, radioOf: () => radioClasses[0] }).map((d, i) => ({ ...d, ...changes[i] }));
    const fleet = [member!, late1!, late2!, otherModel!, otherVersion!, busy!];
    const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now: () => clock.now() });
    const [events, results, catalog, decisions] = await Promise.all([
      TopicRecorder.start<CampaignEvent>(t, 'campaign-events', { keep: (r) => r.key === campaignId || r.key === otherCampaignId }),
      TopicRecorder.start<DeviceResult>(t, 'campaign-device-results', { keep: (r) => r.key === campaignId }),
      TopicRecorder.start<DynamicCampaignRecord>(t, 'dynamic-campaigns', { keep: (r) => r.key === campaignId }),
      TopicRecorder.start<DeviceDecision>(t, 'campaign-device-decisions', { keep: (r) => r.key === campaignId || !!r.key?.startsWith(`${t.prefix}marker-`) }),
      simulator.start(),
    ]);
    const decided = (id: string, deviceId: string) => events.values().find((e) => e.campaignId === id && e.type === 'DEVICE_DECISION' && e.deviceId === deviceId);
    const transition = (to: string) => events.values().find((e) => e.campaignId === campaignId && e.type === 'STATE_CHANGED' && e.to === to);
    const schedule = (command: CampaignCommand) => produce(t, 'campaign-commands', [{ key: command.campaignId, value: t.codecs.get('campaign-commands')!.encode(command) }]);
    const request = (id: string, devices: SimDevice[], changes: RequestChanges): CampaignCommand => {
      const c = scheduleCommand(id, devices);
      return { ...c, request: { ...c.request, ...changes, schedule: { ...c.request.schedule, ...changes.schedule } }, at: clock.now() };
    };
    /**
     * The decisions devices sent the campaign so far. A device's decisions commit with its
     * check-ins' offsets; a marker written to their partition after the device service read every
     * check-in is read after every one of them (the campaign service forgets a marker's unknown campaign).
     */
    let markers = 0;
    const decisionsSoFar = async () => {
      await waitFor('the device service to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 30_000, 200);
      const marker = `${t.prefix}marker-${++markers}`;
      const value: DeviceDecision = { type: 'decision', campaignId: marker, deviceId: 'marker', status: 'DeviceRejected', detail: 'a test marker', at: clock.now() };
      await produce(t, 'campaign-device-decisions', [{ key: marker, partition: partitionOf(campaignId, t.partitions), value: t.codecs.get('campaign-device-decisions')!.encode(value) }]);
      await waitFor('the marker to be read', () => decisions.records.some((r) => r.key === marker), 30_000, 100);
      return decisions.values().filter((d) => d.campaignId === campaignId);
    };
    try {
      await simulator.checkInAll();
      // R-DEV-3: `busy` is accepted in a campaign that starts in two days.
      await schedule(request(otherCampaignId, [busy!], { schedule: { kind: 'FUTURE', startAt: clock.now() + 2 * DAY } }));
      await waitFor('the busy device to accept the other campaign', () => decided(otherCampaignId, busy!.deviceId)?.deviceStatus === 'Accepted', 30_000, 100);

      const endAt = clock.now() + 6 * MIN;
      await schedule(request(campaignId, [member!], { dynamic: true, fromVersions: ['1.0.0'], schedule: { endAt } }));
      await waitFor('the dynamic campaign to start', () => transition('InProgress'), 30_000, 100);
      await waitFor('the catalog record of the campaign', () => catalog.values().some((c) => c.type === 'open'), 10_000, 100);

      // Devices check in as they do; the device service takes the catalog record in moments.
      await waitFor('the late devices to join', async () => {
        if (![late1!, late2!].every((d) => decided(campaignId, d.deviceId))) await simulator.checkInAll();
        return [late1!, late2!].every((d) => decided(campaignId, d.deviceId));
      }, 30_000, 1_000);
      for (const d of [late1!, late2!]) expect(decided(campaignId, d.deviceId)).toMatchObject({ deviceStatus: 'Accepted', reason: expect.stringMatching(/^joined dynamically/) });
      await waitFor('the member and the late devices to upgrade', () => results.values().length === 3, 60_000, 100);
      expect(new Map(results.values().map((r) => [r.deviceId, r.status]))).toEqual(new Map([member!, late1!, late2!].map((d) => [d.deviceId, 'UpgradeSuccess'])));

      // Upgraded, they match no more; the others never did.
      await simulator.checkInAll();
      const [first, ...joined] = (await decisionsSoFar()).map((d) => `${d.deviceId} ${d.status}${d.dynamic ? ' dynamic' : ''}`);
      expect(first).toBe(`${member!.deviceId} Accepted`);
      expect(joined.sort()).toEqual([late1!, late2!].map((d) => `${d.deviceId} Accepted dynamic`).sort());
      const row = await waitFor('the campaigns projection to count the members', async () => {
        const r = await readCampaign(db, campaignId);
        return r?.succeeded === 3 && r;
      }, 30_000, 200);
      expect(row).toMatchObject({ status: 'InProgress', device_count: 3, accepted: 3 });

      const ended = await waitFor('the end date', () => transition('Finished'), 60_000, 200);
      expect(ended).toMatchObject({ reason: 'end date reached' });
      expect(ended.at).toBeGreaterThanOrEqual(endAt);
      await waitFor('the catalog record to be closed', () => catalog.values().some((c) => c.type === 'closed'), 10_000, 100);
      expect(catalog.values().map((c) => c.type)).toEqual(['open', 'closed']);

      // After the end a matching, free device checks in for the first time: it is not offered the campaign.
      await produce(t, 'device-checkins', [{ key: afterEnd!.deviceId, value: t.codecs.get('device-checkins')!.encode(checkinAt(afterEnd!, clock.now())) }]);
      expect((await decisionsSoFar()).map((d) => d.deviceId)).not.toContain(afterEnd!.deviceId);
    } finally {
      await Promise.all([simulator.stop(), events.stop(), results.stop(), catalog.stop(), decisions.stop()]);
    }
  });
});
