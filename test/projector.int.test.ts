// Only Kafka and PostgreSQL show this: a SIGKILLed projector's transactions, dead-letter topics, rebuilds, and a locked table pausing consumption.
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../scripts/fleet/fleet.ts';
import { produce } from '../scripts/lib/kafka.ts';
import { ServiceProcess } from '../scripts/lib/service-process.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { campaignDevicesProjection } from '../services/projector/campaign-devices/index.ts';
import { campaignsProjection } from '../services/projector/campaigns/index.ts';
import { cellUtilisationProjection } from '../services/projector/cell-utilisation/index.ts';
import { createDatabase, type Database } from '../services/projector/database.ts';
import { pilotSuccessProjection } from '../services/projector/pilot-success/index.ts';
import { rebuildProjection } from '../services/projector/rebuild.ts';
import { deadLetterHeaders } from '../services/runtime/dead-letter.ts';
import { runProjection, waitProjected } from './support/projection-harness.ts';
import { campaignsTruth, deleteScenarioRows, produceScenario, projectionScenario, scenarioTables, scenarioTruths } from './support/projection-scenario.ts';

const KILLS = 5;
const checked = [campaignsProjection, campaignDevicesProjection, cellUtilisationProjection, pilotSuccessProjection];

describe('projector', () => {
  let t: Topology;
  let db: Kysely<Database>;
  beforeAll(async () => {
    t = await createTopology('projector');
    db = createDatabase(t.config.databaseUrl);
  });
  afterAll(async () => {
    if (db) await deleteScenarioRows(db, t.prefix);
    await db?.destroy();
    await t?.dispose();
  });

  /** Every column of every row of this test, per table: what a rebuild must reproduce. */
  const snapshot = async () => {
    const like = `${t.prefix}%`;
    return {
      campaigns: await db.selectFrom('campaigns').selectAll().where('campaign_id', 'like', like).orderBy('campaign_id').execute(),
      campaign_devices: await db.selectFrom('campaign_devices').selectAll().where('campaign_id', 'like', like).orderBy(['campaign_id', 'device_id']).execute(),
      cell_utilisation: await db.selectFrom('cell_utilisation').selectAll().where('cell_id', 'like', like).orderBy('cell_id').execute(),
      pilot_success: await db.selectFrom('pilot_success').selectAll().where('campaign_id', 'like', like).orderBy(['make', 'model', 'campaign_id']).execute(),
    };
  };

  it(`R-RES-4, R-CELL-3, R-PILOT-3: the projector process killed at ${KILLS} random points leaves no double counts, malformed events go to the dead-letter topics while later ones are projected, and a rebuild reproduces every row`, async () => {
    const seed = Number(process.env.OTAFLOW_TEST_SEED ?? Date.now() % 2 ** 31);
    const random = seededRandom(seed);
    const replay = `seed ${seed}, replay with OTAFLOW_TEST_SEED=${seed}`;
    const records = projectionScenario(t.prefix, { campaigns: 30, devices: 400, seed });
    const half = Math.floor(records.length / 2);
    await produceScenario(t, records.slice(0, half));
    // Not Avro, and not JSON: each projection reading the topic refuses it with its own reason.
    await produce(t, 'campaign-events', [{ key: `${t.prefix}campaign-0`, value: Buffer.from('not avro at all') }]);
    await produce(t, 'cell-events', [{ key: `${t.prefix}cell-0`, value: '{"cellId": 42' }]);
    await produceScenario(t, records.slice(half));

    // What the checked projections' offsets add up to at the end: kill points spread over it.
    const total = checked.reduce((n, p) => n + p.topics.reduce((m, topic) => m + records.filter((r) => r.topic === topic).length, 0), 0);
    const projector = new ServiceProcess('projector', t.env, t.prefix.slice(0, -1));
    projector.start();
    const committed = async () => Number((await db.selectFrom('projection_offsets').select((eb) => eb.fn.sum<string>('next_offset').as('n')).where('topic', 'like', `${t.prefix}%`).executeTakeFirst())?.n ?? 0);
    try {
      for (let i = 1; i <= KILLS; i++) {
        const target = Math.floor((total * (i - 0.5 + random())) / (KILLS + 1));
        await waitFor(`the projector to commit up to ${target} offsets before kill ${i} (${replay})`, async () => (await committed()) >= target, 60_000, 5);
        await projector.kill();
        projector.start(`r${i}`);
      }
      for (const p of checked) await waitProjected(t, p, 120_000);
      expect(await scenarioTables(db, t.prefix), replay).toEqual(scenarioTruths(records));
      const rows = await snapshot();

      const dead = await TopicRecorder.start(t, 'campaign-events.dlq');
      const deadCells = await TopicRecorder.start(t, 'cell-events.dlq');
      try {
        await waitFor('every projection of campaign events to dead-letter the malformed one', () => new Set(dead.records.map((r) => String(r.headers?.[deadLetterHeaders.reason]).split(':')[0])).size === 3);
        await waitFor('the malformed cell event to be dead-lettered', () => deadCells.records.length > 0);
        expect([...new Set(dead.records.map((r) => String(r.headers?.[deadLetterHeaders.reason]).split(':')[0]))].sort()).toEqual(['projector campaign_audit', 'projector campaign_devices', 'projector campaigns']);
        expect(String(deadCells.records[0]!.headers?.[deadLetterHeaders.reason])).toMatch(/^projector cell_utilisation: /);
      } finally {
        await dead.stop();
        await deadCells.stop();
      }

      // Rebuilt while the projector keeps running: the live consumers seek back too, and the stored offsets let each record in once.
      const rebuildAll = () => Promise.all(checked.map((p) => rebuildProjection(p, { kafka: t.kafka, db, names: t.names, codecs: t.codecs, logger: t.logger, now: Date.now })));
      await rebuildAll();
      for (const p of checked) await waitProjected(t, p, 120_000);
      expect(await snapshot(), replay).toEqual(rows);

      // New events during a rebuild reach live consumers that are past the reset offsets: they seek back.
      const more = projectionScenario(`${t.prefix}more-`, { campaigns: 5, devices: 200, seed: seed + 1 });
      await Promise.all([rebuildAll(), produceScenario(t, more)]);
      for (const p of checked) await waitProjected(t, p, 120_000);
      expect(await scenarioTables(db, t.prefix), replay).toEqual(scenarioTruths([...records, ...more]));
    } finally {
      await projector.stop();
    }
  }, 400_000);

  it('R-CELL-3: an event PostgreSQL refuses (a time out of its range) goes to the dead-letter topic with the database reason, and the events written with it are projected', async () => {
    const cellId = `${t.prefix}fine-cell`;
    const refusedCell = `${t.prefix}refused-cell`;
    const event = (cell: string, type: 'granted' | 'released', inUse: number, at: number) => ({ key: cell, value: JSON.stringify({ type, cellId: cell, deviceId: `d${at}`, campaignId: 'k', limit: 10, inUse, waiting: 0, at }) });
    const running = await runProjection(t, db, cellUtilisationProjection);
    const dead = await TopicRecorder.start(t, 'cell-events.dlq');
    try {
      // 1e17 ms is beyond what a JavaScript Date or timestamptz can hold.
      await produce(t, 'cell-events', [event(cellId, 'granted', 1, 1_000), event(refusedCell, 'granted', 1, 1e17), event(cellId, 'granted', 2, 2_000), event(cellId, 'released', 1, 3_000)]);
      await waitProjected(t, cellUtilisationProjection);
      const refused = await waitFor('the refused event on the dead-letter topic', () => dead.records.find((r) => r.key === refusedCell));
      expect(String(refused.headers[deadLetterHeaders.reason])).toMatch(/^projector cell_utilisation: the database refused it: /);
      expect(JSON.parse(refused.raw!.toString()).at).toBe(1e17);
      const rows = await db.selectFrom('cell_utilisation').selectAll().where('cell_id', 'in', [cellId, refusedCell]).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ in_use: 1, peak_in_use: 2, grants: '2', last_change_at: new Date(3_000) });
    } finally {
      await dead.stop();
      await running.stop();
    }
  });

  it('a database that stops taking writes pauses consumption: batches in flight stay at most one per partition, nothing is committed, and all is projected once it is back', async () => {
    const records = projectionScenario(`${t.prefix}bp-`, { campaigns: 20, devices: 300, seed: 3 });
    const locker = new pg.Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table campaigns in exclusive mode');
    const storedOffsets = async () => Number((await db.selectFrom('projection_offsets').select((eb) => eb.fn.sum<string>('next_offset').as('n')).where('projection', '=', 'campaigns').where('topic', 'like', `${t.prefix}%`).executeTakeFirst())?.n ?? 0);
    const before = await storedOffsets();
    const running = await runProjection(t, db, campaignsProjection);
    let locked = true;
    try {
      await produceScenario(t, records);
      const partitions = campaignsProjection.topics.length * 6;
      const samples: number[] = [];
      await waitFor('batches to wait on the locked table', () => running.inFlight() > 0, 30_000, 10);
      await waitFor('40 samples of the batches in flight', () => samples.push(running.inFlight()) >= 40, 30_000, 25);
      expect(Math.max(...samples)).toBeLessThanOrEqual(partitions);
      expect(await storedOffsets()).toBe(before);
      await locker.query('rollback');
      locked = false;
      await waitProjected(t, campaignsProjection, 120_000);
      const rows = await db.selectFrom('campaigns').select(['campaign_id', 'status', 'schedule_kind', 'accepted', 'rejected', 'succeeded', 'failed', 'cancelled', 'device_count']).where('campaign_id', 'like', `${t.prefix}bp-%`).execute();
      expect(new Map(rows.map(({ campaign_id, ...r }) => [campaign_id, r]))).toEqual(campaignsTruth(records));
    } finally {
      if (locked) await locker.query('rollback');
      await locker.end();
      await running.stop();
    }
  }, 240_000);
});
