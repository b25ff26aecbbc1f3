// Kept on the real stack by issue 14 (R-SAFE): the rollout decisions between processes over Kafka with an accelerated clock, and the appended schemas registered BACKWARD.
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import type { CampaignEvent } from '../contracts/campaign-events.ts';
import type { DeviceCommand } from '../contracts/device-commands.ts';
import type { StatusReport } from '../contracts/device-status-reports.ts';
import { resultDetails } from '../services/device/task.ts';
import { acceleratedClockSpec, parseClock } from '../services/runtime/clock.ts';
import { readSchemaFile } from '../services/runtime/codec.ts';
import { generateFleet, radioClasses, type SimDevice } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { produce } from '../scripts/lib/kafka.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';
import { evolvedSchemas, schemaBefore, schemaSteps } from './support/schema-history.ts';

// A virtual minute in 6 real seconds: a start and the device's first command are far less than
// a virtual minute apart, so each minute's starts land in that minute.
const clockSpec = acceleratedClockSpec(10, Date.now());
const clock = parseClock(clockSpec);
const MIN = 60_000;

const fleetOf = (prefix: string, devices: number, cells: number, changes: (i: number) => Partial<SimDevice> = () => ({})) =>
  generateFleet({ devices, cells, idPrefix: prefix, seed: 14, radioOf: () => radioClasses[0] }).map((d, i) => ({ ...d, ...changes(i) }));

describe('rollout safety on the real stack', () => {
  const suite = pipelineSuite('rollout-safety', { OTAFLOW_CLOCK: clockSpec });

  async function recorders(campaignId: string) {
    const { t } = suite;
    const [events, commands] = await Promise.all([
      TopicRecorder.start<CampaignEvent>(t, 'campaign-events', { from: 'now', keep: (r) => r.key === campaignId }),
      TopicRecorder.start<DeviceCommand>(t, 'device-commands', { from: 'now', keep: (r) => r.value.campaignId === campaignId }),
    ]);
    const stop = () => Promise.all([events.stop(), commands.stop()]);
    const transition = (to: string) => events.values().find((e) => e.type === 'STATE_CHANGED' && e.to === to);
    const started = () => new Map(commands.values().map((c) => [c.deviceId, c.at] as const).reverse());
    return { events, commands, stop, transition, started };
  }

  it('R-SAFE-1: a campaign whose failures pass its threshold aborts with the reason; devices mid-upgrade finish, the rest never start', async () => {
    const { t } = suite;
    const campaignId = `${t.prefix}abort`;
    // Released 4 a minute in list order: first 4 that go silent at UPGRADE (mid-upgrade), then 4 that fail.
    const fleet = fleetOf(`${t.prefix}ab-`, 30, 1, (i) => (i < 4 ? { silentOn: ['UPGRADE'] } : i < 8 ? { resultCode: 8 } : {}));
    const r = await recorders(campaignId);
    try {
      const run = await launchCampaign(t, fleet, campaignId, () => clock.now(), {
        rate: { maxPerMinute: 4, ramp: null },
        abortCriteria: [{ failureKind: 'FAILED', thresholdPercent: 50, minFinished: 4 }],
      });
      suite.runs.push(run);
      const aborted = await waitFor('the campaign to abort', () => r.transition('Aborted'), 40_000, 100);
      expect(aborted.reason).toBe('abort criteria met: 100 % of 4 finished devices failed, threshold 50 %');
      await waitFor('the devices not started to end', () => run.results.values().filter((x) => x.status === 'CampaignCancelled').length >= 22, 20_000, 100);

      // The four mid-upgrade devices report their upgrade now: they finish with success.
      const upgrading = fleet.slice(0, 4);
      const reports: StatusReport[] = upgrading.map((d) => ({ deviceId: d.deviceId, campaignId, kind: 'UPDATE_RESULT', firmwareVersion: '2.0.0', softwareVersion: '2.0.0', radio: null, bytesDownloaded: null, resultCode: 1, clientStatus: null, at: clock.now() }));
      await produce(t, 'device-status-reports', reports.map((x) => ({ key: x.deviceId, value: t.codecs.get('device-status-reports')!.encode(x) })));
      await waitFor('every device to have a result', () => new Set(run.results.values().map((x) => x.deviceId)).size === fleet.length, 20_000, 100);

      const results = new Map(run.results.values().map((x) => [x.deviceId, x]));
      expect(run.results.values()).toHaveLength(fleet.length);
      expect(upgrading.map((d) => results.get(d.deviceId)!.status)).toEqual(['UpgradeSuccess', 'UpgradeSuccess', 'UpgradeSuccess', 'UpgradeSuccess']);
      expect(fleet.slice(4, 8).map((d) => results.get(d.deviceId)!.status)).toEqual(Array(4).fill('UpgradeFailed'));
      expect(fleet.slice(8).filter((d) => results.get(d.deviceId)!.detail !== resultDetails.halted)).toEqual([]);
      expect(fleet.slice(8).filter((d) => r.started().has(d.deviceId))).toEqual([]);
    } finally {
      await r.stop();
    }
  });

  it('R-SAFE-2: a 600/min cap, measured from device.commands: at most 600 devices take their first command in each minute', async () => {
    const { t } = suite;
    const campaignId = `${t.prefix}rate`;
    // They never answer their first command: the measurement is not slowed by 1,500 flows behind it.
    const fleet = fleetOf(`${t.prefix}rt-`, 1500, 30, () => ({ silentOn: ['QUERY_VERSION', 'PUSH'] }));
    const r = await recorders(campaignId);
    try {
      suite.runs.push(await launchCampaign(t, fleet, campaignId, () => clock.now(), { rate: { maxPerMinute: 600, ramp: null } }));
      const started = await waitFor('every device to take its first command', () => (r.started().size === fleet.length ? r.started() : undefined), 50_000, 200);
      // The minutes are counted from each release: a release reaches its devices' first commands
      // a few virtual seconds later (1–7 s measured, the first release the slowest), so
      // 60 seconds anchored elsewhere on the devices' side can hold the tail of one release and
      // the head of the next.
      const releases = r.events.values().filter((e) => e.type === 'DEVICES_RELEASED');
      expect(releases.map((e) => e.released)).toEqual([600, 600, 300]);
      expect(releases.slice(1).map((e, i) => e.at - releases[i]!.at >= MIN)).toEqual([true, true]);
      const minuteOf = (at: number) => releases.filter((e) => e.at <= at).length - 1;
      const perMinute = [0, 1, 2].map((k) => [...started.values()].filter((at) => minuteOf(at) === k).length);
      const lags = releases.map((e, k) => Math.min(...[...started.values()].filter((at) => minuteOf(at) === k)) - e.at);
      console.log(`R-SAFE-2: first commands in the minute from each release: ${perMinute.join(', ')}; from release to first command ${lags.map((l) => (l / 1000).toFixed(1)).join(', ')} virtual s`);
      expect(perMinute).toEqual([600, 600, 300]);
      expect(lags.every((l) => l >= 0 && l < MIN)).toBe(true);
    } finally {
      await r.stop();
    }
  });

  it('R-SAFE-3: three waves; the second misses its success threshold and pauses the campaign with the reason, the third never starts', async () => {
    const { t } = suite;
    const campaignId = `${t.prefix}waves`;
    const fleet = fleetOf(`${t.prefix}wv-`, 15, 3, (i) => (i === 6 || i === 8 ? { resultCode: 8 } : {}));
    const ids = fleet.map((d) => d.deviceId);
    const waves = [0, 1].map((k) => ({ percent: null, deviceIds: ids.slice(5 * k, 5 * k + 5), successThresholdPercent: 80 }));
    const r = await recorders(campaignId);
    try {
      suite.runs.push(await launchCampaign(t, fleet, campaignId, () => clock.now(), { waves: [...waves, { percent: null, deviceIds: [], successThresholdPercent: 0 }] }));
      const paused = await waitFor('the campaign to pause', () => r.transition('Paused'), 40_000, 100);
      expect(paused.reason).toBe('wave 2 of 3 missed its success threshold: 60 % of 5 final results succeeded, threshold 80 %');
      expect(r.events.values().filter((e) => e.type === 'WAVE_COMPLETED').map((e) => e.reason)).toEqual([
        'wave 1 of 3 met its success threshold: 100 % of 5 final results succeeded, threshold 80 %',
        'wave 2 of 3 missed its success threshold: 60 % of 5 final results succeeded, threshold 80 %',
      ]);
      // A virtual minute later the third wave has still not been started.
      const now = clock.now();
      await waitFor('a virtual minute to pass', () => clock.now() > now + MIN, 10_000, 100);
      expect([...r.started().keys()].sort()).toEqual(ids.slice(0, 10).sort());
    } finally {
      await r.stop();
    }
  });

  it('R-SAFE-4, R-SEC-2: the appended commands, request fields, event types and fields register BACKWARD over the schemas registered before each step, and the registry refuses the reverse', async () => {
    const { t } = suite;
    const subjects: string[] = [];
    const register = (subject: string, schema: unknown) =>
      t.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    try {
      for (const path of evolvedSchemas) {
        const name = path.replace(/\W+/g, '-');
        const forward = `${t.prefix}compat-${name}-value`;
        subjects.push(forward);
        await register(forward, schemaBefore(path, 0));
        for (let step = 1; step <= schemaSteps.length; step++) {
          const schema = step === schemaSteps.length ? readSchemaFile(path) : schemaBefore(path, step);
          await expect(register(forward, schema), `${path} after ${schemaSteps[step - 1]!.name}`).resolves.toMatchObject({ id: expect.any(Number) });
        }
        // A reader of the first schema cannot read the event types and commands appended since.
        const reverse = `${t.prefix}compat-${name}-reverse-value`;
        subjects.push(reverse);
        await register(reverse, readSchemaFile(path));
        await expect(register(reverse, schemaBefore(path, 0)), path).rejects.toThrow(/Incompatible/);
      }
    } finally {
      for (const subject of subjects) {
        const url = `${t.config.registryUrl}/subjects/${encodeURIComponent(subject)}`;
        await fetch(url, { method: 'DELETE' });
        await fetch(`${url}?permanent=true`, { method: 'DELETE' });
      }
    }
  });
});
