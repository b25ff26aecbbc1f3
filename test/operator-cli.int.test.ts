// `otaflow campaign` as an operator runs it: a process, against every service and the simulated fleet.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetSimulator } from '../scripts/fleet/simulator.ts';
import { createDatabase } from '../services/projector/database.ts';
import { fleetWithRequestFile, otaflowCampaign } from './support/campaign-cli.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('otaflow campaign', () => {
  const suite = pipelineSuite('operator-cli');
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  const dir = mkdtempSync(join(tmpdir(), 'otaflow-cli-'));
  let simulator: FleetSimulator | undefined;
  afterAll(async () => {
    await simulator?.stop();
    await db.destroy();
  });

  const otaflow = (...args: string[]) => otaflowCampaign(suite.t.env, ...args);

  it('R-REQ-4, R-LC-1: schedules a request file, shows acceptance and progress to completion, and exits 0 when every device upgraded', async () => {
    const { t } = suite;
    const launched = await fleetWithRequestFile(t, 24, 4, 3, dir);
    simulator = launched.simulator;
    const { campaignId, file } = launched;

    const ran = await otaflow('schedule', file, '--watch');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('accepted: SCHEDULE: campaign requested');
    // Without a terminal the bars print a line now and then and their last state.
    expect(ran.stderr).toMatch(/acceptance .* 100% \| 24\/24 \| Accepted 24 · DeviceRejected 0/);
    expect(ran.stderr).toMatch(/100% \| 24\/24 \| Finished \| UpgradeSuccess 24/);
    expect(ran.stdout).toContain(`campaign ${campaignId}: Finished`);

    // status reads the same rows the projector wrote.
    const status = await otaflow('status', campaignId, '--json');
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout) as { status: string; accepted: number; succeeded: number; failed: number; statuses: { status: string; devices: number }[] };
    const row = (await db.selectFrom('campaigns').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow());
    expect(shown).toMatchObject({ status: row.status, accepted: row.accepted, succeeded: row.succeeded, failed: row.failed });
    const perStatus = await db.selectFrom('campaign_devices').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('campaign_id', '=', campaignId).groupBy('status').execute();
    expect(Object.fromEntries(shown.statuses.map((s) => [s.status, s.devices]))).toEqual(Object.fromEntries(perStatus.map((s) => [s.status, Number(s.n)])));

    const listed = await otaflow('list', '--search', t.prefix, '--json');
    expect((JSON.parse(listed.stdout) as { campaignId: string; done: number }[]).map((c) => [c.campaignId, c.done])).toEqual([[campaignId, 24]]);
  });

  it('R-LC-3: prints the service\'s reason for a refused command and exits 2', async () => {
    const campaignId = `${suite.t.prefix}campaign`;
    const cancel = await otaflow('cancel', campaignId);
    expect(cancel.code).toBe(2);
    expect(cancel.stdout.trim()).toBe('REFUSED: CANCEL: a campaign can be cancelled only before it starts; it is Finished');
    const again = await otaflow('schedule', join(dir, 'campaign.json'), '--json');
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: false, answers: [{ accepted: false, reason: `SCHEDULE: campaign ${campaignId} already exists (Finished)` }] });
  });

  it('R-LOG-1, R-LC-1, R-LC-2: verbose logging, device removal and abort print the answer the services give, with exit codes 0 and 2', async () => {
    const campaignId = `${suite.t.prefix}campaign`;
    const devices = join(dir, 'devices.txt');
    writeFileSync(devices, `# two devices of the finished campaign\n${suite.t.prefix}dev-000000\n${suite.t.prefix}dev-000001\n`);
    const enable = await otaflow('verbose', 'enable', campaignId, '--file', devices);
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout.trim()).toMatch(/^accepted: ENABLE_VERBOSE_LOGGING: /);
    // Logs become fetchable 24 h after collection starts, at the device's next check-in.
    const fetch = await otaflow('verbose', 'fetch', campaignId, `${suite.t.prefix}dev-000000`);
    expect(fetch.code).toBe(2);
    expect(fetch.stdout.trim()).toMatch(/^REFUSED: FETCH_VERBOSE_LOGS: /);
    const remove = await otaflow('remove-devices', campaignId, devices);
    expect(remove.code).toBe(2);
    expect(remove.stdout.trim()).toMatch(/^REFUSED: REMOVE_DEVICES: .*Finished/);
    const abort = await otaflow('abort', campaignId);
    expect(abort.code).toBe(2);
    expect(abort.stdout.trim()).toMatch(/^REFUSED: ABORT: /);
  });

  it('gives up on brokers that do not answer after --timeout, naming them, and exits 1', async () => {
    const ran = await otaflowCampaign({ ...suite.t.env, OTAFLOW_KAFKA_BROKERS: '127.0.0.1:1' }, 'cancel', 'any-campaign', '--timeout', '2');
    expect(ran.code).toBe(1);
    expect(ran.stdout.trim()).toBe(`error: could not reach Kafka at 127.0.0.1:1 and the registry at ${suite.t.config.registryUrl} within 2 s (--timeout)`);
  });
});
