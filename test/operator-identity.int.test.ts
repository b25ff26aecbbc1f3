// R-SEC-2 on the real stack: the campaign service under a command policy, driven by `otaflow campaign --as`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignCommand } from '../contracts/campaign-commands.ts';
import { FleetSimulator } from '../scripts/fleet/simulator.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { createDatabase } from '../services/projector/database.ts';
import { fleetWithRequestFile, otaflowCampaign } from './support/campaign-cli.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

const policy = { principals: { alice: ['SCHEDULE', 'CANCEL', 'APPROVE'], bob: ['APPROVE', 'PAUSE'] }, approval: { minDevices: 10 } };

describe('operator identity on the real stack', () => {
  const suite = pipelineSuite('operator-identity', { OTAFLOW_COMMAND_POLICY: JSON.stringify(policy) });
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  const dir = mkdtempSync(join(tmpdir(), 'otaflow-identity-'));
  let simulator: FleetSimulator | undefined;
  afterAll(async () => {
    await simulator?.stop();
    await db.destroy();
  });

  const otaflow = (...args: string[]) => otaflowCampaign(suite.t.env, ...args);

  it('R-SEC-2: an unauthorized command is refused with the reason; a campaign of the approval size waits in Queued and starts on APPROVE by a second principal; campaign_audit equals the commands topic', async () => {
    const { t } = suite;
    const launched = await fleetWithRequestFile(t, 12, 2, 15, dir);
    simulator = launched.simulator;
    const { campaignId, file } = launched;

    const refused = await otaflow('schedule', file, '--as', 'mallory');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('REFUSED: SCHEDULE: principal "mallory" may not issue SCHEDULE (the command policy grants it no command)');

    const scheduled = await otaflow('schedule', file, '--as', 'alice');
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toContain(`campaign ${campaignId}: Queued (checks passed; waiting for APPROVE by a principal other than "alice"); 12 accepted, 0 rejected`);

    const cancel = await otaflow('cancel', campaignId, '--as', 'bob');
    expect([cancel.code, cancel.stdout.trim()]).toEqual([2, 'REFUSED: CANCEL: principal "bob" may not issue CANCEL (the command policy grants it APPROVE, PAUSE)']);
    const own = await otaflow('approve', campaignId, '--as', 'alice');
    expect([own.code, own.stdout.trim()]).toEqual([2, 'REFUSED: APPROVE: four eyes: "alice" scheduled the campaign, so another principal must approve it']);
    const status = await otaflow('status', campaignId, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'Queued', succeeded: 0 });

    const approved = await otaflow('approve', campaignId, '--as', 'bob');
    expect([approved.code, approved.stdout.trim()]).toEqual([0, 'accepted: APPROVE: approved by "bob"; the campaign starts when its checks pass and its start date comes']);
    const watched = await otaflow('status', campaignId, '--watch', '--json');
    expect(watched.code, watched.stderr).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ status: 'Finished', succeeded: 12 });

    const commands = await TopicRecorder.start<CampaignCommand>(t, 'campaign-commands', { keep: (r) => r.key === campaignId });
    try {
      await waitFor('the five commands', () => commands.values().length >= 5, 30_000, 100);
      const audit = await waitFor(
        'campaign_audit to hold every command answered',
        async () => {
          const rows = await db.selectFrom('campaign_audit').selectAll().where('campaign_id', '=', campaignId).execute();
          return rows.length === commands.values().length && rows.every((r) => r.outcome !== null) ? rows : undefined;
        },
        30_000,
        200,
      );
      const byId = new Map(audit.map((r) => [r.command_id, r]));
      expect(commands.values().map((c) => {
        const row = byId.get(c.commandId)!;
        return [row.command_type, row.principal, row.device_ids, new Date(row.issued_at!).getTime(), row.outcome];
      })).toEqual([
        ['SCHEDULE', 'mallory', 12, commands.values()[0]!.at, 'REFUSED'],
        ['SCHEDULE', 'alice', 12, commands.values()[1]!.at, 'ACCEPTED'],
        ['CANCEL', 'bob', 0, commands.values()[2]!.at, 'REFUSED'],
        ['APPROVE', 'alice', 0, commands.values()[3]!.at, 'REFUSED'],
        ['APPROVE', 'bob', 0, commands.values()[4]!.at, 'ACCEPTED'],
      ]);
      expect(commands.values().map((c) => c.principal)).toEqual(['mallory', 'alice', 'bob', 'alice', 'bob']);
    } finally {
      await commands.stop();
    }
  });
});
