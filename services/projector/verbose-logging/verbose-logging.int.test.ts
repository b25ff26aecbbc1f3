import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { produce } from '../../../scripts/lib/kafka.ts';
import { TopicRecorder } from '../../../scripts/lib/topic-recorder.ts';
import type { Topology } from '../../../scripts/lib/topology.ts';
import { waitFor } from '../../../scripts/lib/wait-for.ts';
import { expectTruthAndReplaySafe, runProjection, projectionSuite, waitProjected } from '../../../test/support/projection-harness.ts';
import { deadLetterHeaders } from '../../runtime/dead-letter.ts';
import type { VerboseEvent } from '../../../contracts/verbose-events.ts';
import type { Database } from '../database.ts';
import { readActiveVerboseDevices, readVerboseSessions, verboseLoggingProjection } from './index.ts';
import { sessionEvents } from './session-fixture.ts';

const DAY = 86_400_000;
const ms = (d: Date | null) => d?.getTime() ?? null;

describe('verbose_logging projection', () => {
  const suite = projectionSuite('proj-verbose', 'verbose_logging', 'device_id');
  let t: Topology;
  let db: Kysely<Database>;
  beforeAll(() => ({ t, db } = suite));

  const send = (events: readonly VerboseEvent[]) => produce(t, 'verbose-events', events.map((e) => ({ key: e.deviceId, value: JSON.stringify(e) })));

  it('R-LOG-1: each session row holds the last state the verbose actor reached; older events delivered later never move it back; malformed events go to the dead-letter topic while later ones are projected; a replay changes nothing', async () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    const device = (d: number) => `${t.prefix}v-${d}`;
    const lifecycle = ['enabled', 'collecting', 'off', 'purged'] as const;
    // Device d's first session reaches the state d % 4; devices 0-3 have a second session 40 days on.
    const sessions = Array.from({ length: 12 }, (_, d) => ({ events: sessionEvents(device(d), start + d * 1_000), reached: lifecycle[d % 4]! }));
    const second = sessions.slice(0, 4).map((s, d) => ({ events: sessionEvents(device(d), start + 40 * DAY + d), reached: s.reached }));
    const upTo = (s: (typeof sessions)[number]) => lifecycle.slice(0, lifecycle.indexOf(s.reached) + 1).map((type) => s.events[type]);

    await send(sessions.flatMap(upTo));
    const running = await runProjection(t, db, verboseLoggingProjection);
    await waitProjected(t, verboseLoggingProjection);
    await running.stop();
    const malformed = { ...sessions[1]!.events.enabled, deviceId: device(2) };
    await produce(t, 'verbose-events', [
      { key: device(0), value: '{"type": "enabled", "deviceId":' },
      { key: device(1), value: JSON.stringify(malformed) },
    ]);
    // Every session's own earlier events again, as a late redelivery would bring them, and an earlier
    // state stamped with the instant of the last one (the lifecycle order decides); then the second sessions.
    const stale = sessions.flatMap((s) => upTo(s).slice(0, -1)).reverse();
    const sameInstant = sessions.filter((s) => s.reached !== 'enabled').map((s) => ({ ...s.events.enabled, at: s.events[s.reached].at }));
    await send([...stale, ...sameInstant, ...second.flatMap(upTo)]);

    const truth = new Map(
      [...sessions, ...second].map(({ events, reached }) => {
        const last = events[reached];
        const row = { state: last.type, auto_off_at: last.autoOffAt, collecting_since: last.collectingSince, off_at: last.offAt, fetchable_at: last.fetchableAt, purge_at: last.purgeAt, updated_at: last.at };
        return [`${last.deviceId}/${last.enabledAt}`, row];
      }),
    );
    const read = async () => {
      const rows = await db.selectFrom('verbose_logging').selectAll().where('device_id', 'like', `${t.prefix}%`).execute();
      return new Map(
        rows.map((r) => [
          `${r.device_id}/${r.enabled_at.getTime()}`,
          { state: r.state, auto_off_at: ms(r.auto_off_at), collecting_since: ms(r.collecting_since), off_at: ms(r.off_at), fetchable_at: ms(r.fetchable_at), purge_at: ms(r.purge_at), updated_at: ms(r.updated_at) },
        ]),
      );
    };
    await expectTruthAndReplaySafe(t, db, verboseLoggingProjection, truth, read);

    expect((await readVerboseSessions(db, device(1))).map((r) => [ms(r.enabled_at), r.state])).toEqual([
      [second[1]!.events.enabled.enabledAt, 'collecting'],
      [sessions[1]!.events.enabled.enabledAt, 'collecting'],
    ]);
    const active = (await readActiveVerboseDevices(db)).filter((r) => r.device_id.startsWith(t.prefix));
    const activeTruth = [...truth].filter(([, r]) => r.state === 'enabled' || r.state === 'collecting');
    expect(active.map((r) => `${r.device_id}/${ms(r.enabled_at)}`).sort()).toEqual(activeTruth.map(([key]) => key).sort());

    const admin = t.kafka.admin();
    await admin.connect();
    const dlqOffsets = await admin.topicOffsets(t.names.name('verbose-events.dlq')).finally(() => admin.disconnect());
    expect(dlqOffsets.reduce((n, p) => n + p.high - p.low, 0n)).toBe(2n);
    const dlq = await TopicRecorder.start<Buffer>(t, 'verbose-events.dlq');
    try {
      const records = await waitFor('the two dead-lettered verbose events', () => dlq.records.length >= 2 && dlq.records);
      const reasons = new Map(records.map((r) => [r.key, String(r.headers[deadLetterHeaders.reason])]));
      expect(reasons.get(device(0))).toMatch(/^projector verbose_logging: .*value is not JSON/);
      expect(reasons.get(device(1))).toBe(`projector verbose_logging: verbose event: key "${device(1)}" is not its deviceId "${device(2)}"`);
    } finally {
      await dlq.stop();
    }
  });
});
