import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { produce } from '../../../scripts/lib/kafka.ts';
import { TopicRecorder } from '../../../scripts/lib/topic-recorder.ts';
import type { Topology } from '../../../scripts/lib/topology.ts';
import { waitFor } from '../../../scripts/lib/wait-for.ts';
import { profile } from '../../../test/support/device-fixtures.ts';
import { expectTruthAndReplaySafe, runProjection, projectionSuite, waitProjected } from '../../../test/support/projection-harness.ts';
import type { Checkin } from '../../../contracts/device-checkins.ts';
import { deadLetterHeaders } from '../../runtime/dead-letter.ts';
import type { Database } from '../database.ts';
import { deviceCheckinsProjection, readCheckinHistory } from './index.ts';
import { startCheckinRetention, sweepCheckins } from './retention.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('device_checkins projection', () => {
  const suite = projectionSuite('proj-checkins', 'device_checkins', 'device_id');
  let t: Topology;
  let db: Kysely<Database>;
  beforeAll(() => ({ t, db } = suite));

  // Within the default retention, so a projector sweeping the shared database meanwhile leaves them alone.
  const start = Date.now() - 10 * DAY;
  const checkin = (device: number, hour: number): Checkin => ({
    ...profile,
    deviceId: `${t.prefix}dev-${device}`,
    firmwareVersion: `1.${hour}`,
    // Some check-ins come without radio, some without a signal measurement.
    radio: hour % 3 === 0 ? null : { cellId: `cell-${device % 4}`, rsrp: hour % 3 === 1 ? -80 - device : null, sinr: 5 + hour },
    at: start + hour * HOUR + device,
  });
  const encode = (c: Checkin) => t.codecs.get('device-checkins')!.encode(c);
  const send = (checkins: readonly Checkin[]) => produce(t, 'device-checkins', checkins.map((c) => ({ key: c.deviceId, value: encode(c) })));

  it('R-LOG-1: the history holds each distinct check-in of each device once, whether delivered twice in one batch or across batches; malformed check-ins go to the dead-letter topic while later ones are projected; a replay changes nothing', async () => {
    const devices = Array.from({ length: 24 }, (_, d) => d);
    const first = devices.flatMap((d) => [0, 1, 2, 3].map((h) => checkin(d, h)));
    const later = devices.flatMap((d) => [4, 5, 6].map((h) => checkin(d, h)));
    // Duplicates within the first batch, then again after it is committed.
    await send([...first, ...first.filter((_, i) => i % 5 === 0)]);
    const running = await runProjection(t, db, deviceCheckinsProjection);
    await waitProjected(t, deviceCheckinsProjection);
    await running.stop();
    await produce(t, 'device-checkins', [
      { key: checkin(0, 0).deviceId, value: Buffer.from('not avro at all') },
      { key: checkin(1, 0).deviceId, value: encode(checkin(2, 9)) },
    ]);
    await send([...first.filter((_, i) => i % 3 === 0), ...later]);

    const truth = new Map(
      [...first, ...later].map((c) => [
        `${c.deviceId}/${c.at}`,
        { protocol: c.protocol, make: c.make, model: c.model, firmware_version: c.firmwareVersion, software_version: c.softwareVersion, client_type: c.clientType, fota_capable: c.fotaCapable, connected: c.connected, cell_id: c.radio?.cellId ?? null, rsrp: c.radio?.rsrp ?? null, sinr: c.radio?.sinr ?? null },
      ]),
    );
    expect(truth.size).toBe(devices.length * 7);
    const read = async () => {
      const rows = await db.selectFrom('device_checkins').selectAll().where('device_id', 'like', `${t.prefix}%`).execute();
      return new Map(rows.map(({ device_id, checked_in_at, ...r }) => [`${device_id}/${checked_in_at.getTime()}`, r]));
    };
    await expectTruthAndReplaySafe(t, db, deviceCheckinsProjection, truth, read);

    const history = await readCheckinHistory(db, checkin(0, 0).deviceId, 3);
    expect(history.map((r) => r.checked_in_at.getTime())).toEqual([6, 5, 4].map((h) => checkin(0, h).at));

    const admin = t.kafka.admin();
    await admin.connect();
    const dlqOffsets = await admin.topicOffsets(t.names.name('device-checkins.dlq')).finally(() => admin.disconnect());
    expect(dlqOffsets.reduce((n, p) => n + p.high - p.low, 0n)).toBe(2n);
    const dlq = await TopicRecorder.start<Buffer>(t, 'device-checkins.dlq');
    try {
      const records = await waitFor('the two dead-lettered check-ins', () => dlq.records.length >= 2 && dlq.records);
      const reasons = new Map(records.map((r) => [r.key, String(r.headers[deadLetterHeaders.reason])]));
      expect(reasons.get(checkin(0, 0).deviceId)).toMatch(/^projector device_checkins: .*not in the schema-registry wire format/);
      expect(reasons.get(checkin(1, 0).deviceId)).toBe(`projector device_checkins: device check-in: key "${checkin(1, 0).deviceId}" is not its deviceId "${checkin(2, 9).deviceId}"`);
    } finally {
      await dlq.stop();
    }
  });

  it('R-LOG-1: the retention sweep deletes, in bounded batches, only the check-ins older than the cutoff, and the scheduled sweep takes its cutoff from the clock it is given', async () => {
    const at = (device: number, time: number): Checkin => ({ ...profile, deviceId: `${t.prefix}ret-${device}`, at: time });
    const cutoff = Date.now() - 20 * DAY;
    const nextCutoff = cutoff + 5 * DAY;
    const expired = Array.from({ length: 23 }, (_, i) => at(i % 4, cutoff - (i + 1) * HOUR));
    const expiredNext = Array.from({ length: 9 }, (_, i) => at(i % 4, cutoff + (i + 1) * HOUR));
    const kept = [at(0, nextCutoff), at(1, nextCutoff + DAY), at(2, Date.now())];
    await db.transaction().execute((trx) => deviceCheckinsProjection.write(trx, [...expired, at(3, cutoff), ...expiredNext, ...kept]));
    const own = async () =>
      (await db.selectFrom('device_checkins').select(['device_id', 'checked_in_at']).where('device_id', 'like', `${t.prefix}ret-%`).orderBy('checked_in_at').orderBy('device_id').execute()).map((r) => `${r.device_id}@${r.checked_in_at.getTime()}`);
    const expected = (checkins: readonly Checkin[]) => [...checkins].sort((a, b) => a.at - b.at || a.deviceId.localeCompare(b.deviceId)).map((c) => `${c.deviceId}@${c.at}`);

    // The table is shared: expired rows other runs left behind are deleted and counted too.
    expect(await sweepCheckins(db, new Date(cutoff), 5)).toBeGreaterThanOrEqual(expired.length);
    expect(await own()).toEqual(expected([at(3, cutoff), ...expiredNext, ...kept]));

    const retentionDays = 30;
    const sweeper = startCheckinRetention({ db, clock: { now: () => nextCutoff + retentionDays * DAY, realDelayUntil: () => 0 }, logger: t.logger, retentionDays, everyMs: HOUR });
    try {
      await waitFor('the scheduled sweep to delete the check-ins older than its cutoff', async () => (await own()).length === kept.length);
    } finally {
      await sweeper.stop();
    }
    expect(await own()).toEqual(expected(kept));
  });
});
