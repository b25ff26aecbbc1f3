/**
 * npm run demo: brings the stack up, provisions topics, schemas and migrations, runs every
 * service as its own process and a simulated fleet of 200 devices over 10 cells through
 * one campaign, shows progress, and prints a summary read back from SQL.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cellLimit } from '../services/cell/cell-limit.ts';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { readCells } from '../services/projector/cell-utilisation/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { generateFleet } from './fleet/fleet.ts';
import { launchCampaign, type CampaignRun } from './lib/campaign-run.ts';
import { Pipeline, serviceNames } from './lib/pipeline.ts';
import { demoLogDir } from './lib/service-process.ts';
import { createTopology } from './lib/topology.ts';
import { waitFor } from './lib/wait-for.ts';

const DEVICES = 200;
const CELLS = 10;

const say = (line: string) => process.stdout.write(`${line}\n`);

execFileSync('bash', ['scripts/stack', 'up'], { cwd: projectRoot, stdio: 'inherit' });
const t = await createTopology('demo', { prefix: '' });
say('demo: topics and schemas in place');
const runId = randomUUID().slice(0, 6);
const pipeline = new Pipeline(t, `demo-${runId}`, demoLogDir);
const db = createDatabase(t.config.databaseUrl);
let run: CampaignRun | undefined;
let ok = false;
try {
  pipeline.start();
  say(`demo: services started (${serviceNames.join(', ')}); logs in ${demoLogDir}`);
  // Fresh device and cell ids per run, so an interrupted earlier run leaves no task behind.
  const fleet = generateFleet({ devices: DEVICES, cells: CELLS, idPrefix: `demo-${runId}-`, failureRate: 0.05, seed: Date.now() });
  const campaignId = `demo-${runId}-campaign`;
  const started = Date.now();
  run = await launchCampaign(t, fleet, campaignId);
  say(`demo: ${DEVICES} devices checked in over ${CELLS} cells; campaign ${campaignId} scheduled`);

  let lastLine = '';
  const row = await waitFor(
    'the campaign to finish',
    async () => {
      const r = await readCampaign(db, campaignId);
      const line = `progress: ${r?.status ?? 'requested'} | accepted ${r?.accepted ?? 0}/${DEVICES} | succeeded ${r?.succeeded ?? 0} | failed ${r?.failed ?? 0}`;
      if (line !== lastLine) say(line);
      lastLine = line;
      return r && (r.status === 'Finished' || r.status === 'RequestFailed') && r;
    },
    300_000,
    500,
  );
  const seconds = (Date.now() - started) / 1000;

  const limitOf = new Map(fleet.map((d) => [d.cellId, cellLimit({ rsrp: d.rsrp, sinr: d.sinr })]));
  const cells = await waitFor('every cell to be idle in SQL', async () => {
    const rows = await readCells(db, [...limitOf.keys()]);
    return rows.length === limitOf.size && rows.every((c) => c.in_use === 0) && rows;
  });
  const topicResults = run.results.values();
  const byOutcome = (rows: readonly { status: string; cause: string | null; devices: number }[]) =>
    Object.fromEntries(rows.map((r) => [`${r.status}${r.cause ? ` (${r.cause})` : ''}`, r.devices]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  const topicOutcomes = byOutcome(
    [...Map.groupBy(topicResults, (r) => `${r.status}\u0000${r.cause ?? ''}`).values()].map((g) => ({ status: g[0]!.status, cause: g[0]!.cause, devices: g.length })),
  );
  const sqlOutcomes = byOutcome(
    (await db.selectFrom('campaign_devices').select(['status', 'cause', (eb) => eb.fn.countAll<string>().as('devices')]).where('campaign_id', '=', campaignId).where('finished_at', 'is not', null).groupBy(['status', 'cause']).execute()).map((r) => ({ ...r, devices: Number(r.devices) })),
  );
  const topicSucceeded = topicResults.filter((r) => r.status === 'UpgradeSuccess').length;
  const topicFailed = topicResults.filter((r) => r.status === 'UpgradeFailed').length;
  const countsAgree = row.succeeded === topicSucceeded && row.failed === topicFailed && JSON.stringify(sqlOutcomes) === JSON.stringify(topicOutcomes);

  say('');
  say(`summary (from SQL) — campaign ${campaignId}: ${row.status} in ${seconds.toFixed(1)} s`);
  say(`  devices ${row.device_count}, accepted ${row.accepted}, rejected ${row.rejected}, succeeded ${row.succeeded}, failed ${row.failed}`);
  say(`  results on campaign.device-results: ${topicResults.length}, succeeded ${topicSucceeded}, failed ${topicFailed}`);
  say(`  outcomes in SQL (campaign_devices):        ${JSON.stringify(sqlOutcomes)}`);
  say(`  outcomes on the results topic:             ${JSON.stringify(topicOutcomes)}`);
  say('  cell       radio limit   peak in use   grants');
  for (const c of cells) say(`  ${c.cell_id.slice(-8).padEnd(10)} ${String(c.cell_limit).padStart(11)} ${String(c.peak_in_use).padStart(13)} ${String(c.grants).padStart(8)}`);
  const over = cells.filter((c) => c.peak_in_use > c.cell_limit || c.cell_limit !== limitOf.get(c.cell_id));
  ok = row.status === 'Finished' && over.length === 0 && topicResults.length === DEVICES && countsAgree;
  say(ok ? 'demo: every cell stayed within its limit; every device has exactly one result; the SQL counts equal the results topic' : `demo: FAILED (${over.length} cells over their limit; SQL counts ${countsAgree ? 'equal' : 'differ from'} the results topic)`);
} catch (e) {
  say(`demo: FAILED: ${(e as Error).message}`);
} finally {
  await run?.stop();
  await pipeline.stop();
  await db.destroy();
  say('demo: services stopped; the stack stays up (npm run stack down stops it)');
}
process.exit(ok ? 0 : 1);
