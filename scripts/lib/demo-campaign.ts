import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { cellLimit } from '../../services/cell/cell-limit.ts';
import { readCampaign } from '../../services/projector/campaigns/index.ts';
import { readCells } from '../../services/projector/cell-utilisation/index.ts';
import type { Database } from '../../services/projector/database.ts';
import { generateFleet } from '../fleet/fleet.ts';
import { dedupedResults, launchCampaign, type CampaignRun } from './campaign-run.ts';
import type { Topology } from './topology.ts';
import { waitFor } from './wait-for.ts';

export interface DemoOptions {
  readonly devices: number;
  readonly cells: number;
  /** Prints a progress or summary line. */
  readonly say: (line: string) => void;
}

/**
 * The demo's campaign on a running pipeline: a fresh fleet (new device and cell ids, so earlier
 * runs on the same topics leave nothing in its way), one campaign, and its outcome read back from
 * SQL and compared with this campaign's results on the results topic. True when every cell stayed
 * within its limit (R-CELL-1), every device has one result (R-RES-4) and SQL agrees with the topic.
 */
export async function runDemoCampaign(t: Topology, db: Kysely<Database>, options: DemoOptions): Promise<boolean> {
  const { devices, cells, say } = options;
  const runId = randomUUID().slice(0, 6);
  const fleet = generateFleet({ devices, cells, idPrefix: `demo-${runId}-`, failureRate: 0.05, seed: Date.now() });
  const campaignId = `demo-${runId}-campaign`;
  const started = Date.now();
  let run: CampaignRun | undefined;
  try {
    run = await launchCampaign(t, fleet, campaignId);
    say(`demo: ${devices} devices checked in over ${cells} cells; campaign ${campaignId} scheduled`);
    let lastLine = '';
    const row = await waitFor(
      'the campaign to finish',
      async () => {
        const r = await readCampaign(db, campaignId);
        const line = `progress: ${r?.status ?? 'requested'} | accepted ${r?.accepted ?? 0}/${devices} | succeeded ${r?.succeeded ?? 0} | failed ${r?.failed ?? 0}`;
        if (line !== lastLine) say(line);
        lastLine = line;
        return r && (r.status === 'Finished' || r.status === 'RequestFailed') && r;
      },
      300_000,
      500,
    );
    const seconds = (Date.now() - started) / 1000;

    const limitOf = new Map(fleet.map((d) => [d.cellId, cellLimit({ rsrp: d.rsrp, sinr: d.sinr })]));
    const cellRows = await waitFor('every cell to be idle in SQL', async () => {
      const rows = await readCells(db, [...limitOf.keys()]);
      return rows.length === limitOf.size && rows.every((c) => c.in_use === 0) && rows;
    });
    const published = run.results.values();
    const results = dedupedResults(published);
    const topicOutcomes = outcomes([...Map.groupBy(results, (r) => `${r.status}\u0000${r.cause ?? ''}`).values()].map((g) => ({ status: g[0]!.status, cause: g[0]!.cause, devices: g.length })));
    const sqlOutcomes = outcomes(
      (
        await db
          .selectFrom('campaign_devices')
          .select(['status', 'cause', (eb) => eb.fn.countAll<string>().as('devices')])
          .where('campaign_id', '=', campaignId)
          .where('finished_at', 'is not', null)
          .groupBy(['status', 'cause'])
          .execute()
      ).map((r) => ({ ...r, devices: Number(r.devices) })),
    );
    const succeeded = results.filter((r) => r.status === 'UpgradeSuccess').length;
    const failed = results.filter((r) => r.status === 'UpgradeFailed').length;
    const countsAgree = row.succeeded === succeeded && row.failed === failed && JSON.stringify(sqlOutcomes) === JSON.stringify(topicOutcomes);
    const oneEach = results.length === devices && new Set(results.map((r) => r.deviceId)).size === devices;

    say('');
    say(`summary (from SQL) — campaign ${campaignId}: ${row.status} in ${seconds.toFixed(1)} s`);
    say(`  devices ${row.device_count}, accepted ${row.accepted}, rejected ${row.rejected}, succeeded ${row.succeeded}, failed ${row.failed}`);
    say(`  this campaign's results on campaign.device-results: ${results.length} (${published.length - results.length} repeats dropped), succeeded ${succeeded}, failed ${failed}`);
    say(`  outcomes in SQL (campaign_devices):        ${JSON.stringify(sqlOutcomes)}`);
    say(`  outcomes on the results topic:             ${JSON.stringify(topicOutcomes)}`);
    say('  cell       radio limit   peak in use   grants');
    for (const c of cellRows) say(`  ${c.cell_id.slice(-8).padEnd(10)} ${String(c.cell_limit).padStart(11)} ${String(c.peak_in_use).padStart(13)} ${String(c.grants).padStart(8)}`);
    const over = cellRows.filter((c) => c.peak_in_use > c.cell_limit || c.cell_limit !== limitOf.get(c.cell_id));
    const ok = row.status === 'Finished' && over.length === 0 && oneEach && countsAgree;
    say(
      ok
        ? 'demo: every cell stayed within its limit; every device has exactly one result; the SQL counts equal the results topic'
        : `demo: FAILED (${over.length} cells over their limit; ${oneEach ? 'one result per device' : 'devices without exactly one result'}; SQL counts ${countsAgree ? 'equal' : 'differ from'} the results topic)`,
    );
    return ok;
  } finally {
    await run?.stop();
  }
}

function outcomes(rows: readonly { status: string; cause: string | null; devices: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [`${r.status}${r.cause ? ` (${r.cause})` : ''}`, r.devices] as const).sort(([a], [b]) => a.localeCompare(b)));
}
