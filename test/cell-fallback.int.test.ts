// Kept on the real stack by issue (R-CELL-1 fallback): processes with an accelerated clock over Kafka, and the new enum symbols registered BACKWARD in the registry.
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { stepTimeouts } from '../services/device/task.ts';
import { acceleratedClockSpec, parseClock } from '../services/runtime/clock.ts';
import { readSchemaFile } from '../services/runtime/codec.ts';
import { generateFleet, radioClasses, type SimDevice } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { TopicRecorder } from '../scripts/lib/topic-recorder.ts';
import { expectCellsWithinLimits, expectOneResultEach, runToCompletion } from './support/campaign-checks.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

// A virtual minute in 3 real seconds: a Kafka round trip between processes stays far below the
// 3-minute radio and cell-id queries, and both run out in seconds.
const clockSpec = acceleratedClockSpec(20, Date.now());
const clock = parseClock(clockSpec);
const MIN = 60_000;
const CELL_ID_CAUSE = 'Waiting for report cellId timeout';

describe('R-CELL-1 cell-id fallback on the real stack', () => {
  const suite = pipelineSuite('cell-fallback', { OTAFLOW_CLOCK: clockSpec });

  it('R-CELL-1, R-FLOW-4: devices that never answer the radio query upgrade under limit 10 from their cell id; devices with no cell id fail with "Waiting for report cellId timeout"', async () => {
    const { t } = suite;
    // Their check-ins measure radio worth 50 (R-CELL-1): only the cell-id answer may set the limit.
    const fleet = generateFleet({ devices: 35, cells: 1, idPrefix: `${t.prefix}fb-`, seed: 41, radioOf: () => radioClasses[0] });
    const cellId = fleet[0]!.cellId;
    const devices: SimDevice[] = fleet.map((d, i) => {
      if (i < 30) return { ...d, silentOn: ['QUERY_RADIO'] };
      if (i < 33) return { ...d, withoutCellId: true };
      // Decision (README): the cell id of the latest check-in does not stand in for the answer.
      return { ...d, cellId: `${t.prefix}fb-checked-in-cell`, silentOn: ['QUERY_RADIO', 'QUERY_CELL_ID'] };
    });
    const fallback = devices.slice(0, 30);
    const failing = devices.slice(30);

    const commands = await TopicRecorder.start<{ deviceId: string; kind: string; at: number }>(t, 'device-commands', { from: 'now' });
    try {
      const run = await launchCampaign(t, devices, `${t.prefix}campaign-fallback`, () => clock.now());
      suite.runs.push(run);
      await runToCompletion(run, 180_000);
      const results = expectOneResultEach(run);
      const resultOf = (d: SimDevice) => results.find((r) => r.deviceId === d.deviceId)!;

      expect(fallback.map((d) => resultOf(d)).filter((r) => r.status !== 'UpgradeSuccess' || r.cellId !== cellId)).toEqual([]);
      for (const d of failing) expect(resultOf(d), d.deviceId).toMatchObject({ status: 'UpgradeFailed', cause: CELL_ID_CAUSE, cellId: null });

      // R-CELL-1: limit 10 from the cell id alone, used to the full while the other 20 waited.
      const cell = expectCellsWithinLimits(run).get(cellId)!;
      expect(cell).toMatchObject({ grants: 30, peak: 10, limits: [10, 10] });
      expect(Math.max(...run.cellEvents.values().map((e) => e.waiting))).toBeGreaterThanOrEqual(10);

      // R-FLOW-4: the radio query waits its 3 minutes before the cell id is asked for, which waits 3 more.
      const sent = (d: SimDevice, kind: string) => commands.values().find((c) => c.deviceId === d.deviceId && c.kind === kind)!.at;
      for (const d of [fallback[0]!, ...failing]) {
        expect((sent(d, 'QUERY_CELL_ID') - sent(d, 'QUERY_RADIO')) / MIN, d.deviceId).toBeGreaterThanOrEqual(stepTimeouts.queryRadio!.ms / MIN);
      }
      for (const d of failing) {
        const waited = (resultOf(d).at - sent(d, 'QUERY_CELL_ID')) / MIN;
        expect(waited, d.deviceId).toBeGreaterThanOrEqual(stepTimeouts.queryCellId!.ms / MIN);
        expect(waited, d.deviceId).toBeLessThan(stepTimeouts.queryCellId!.ms / MIN + 1);
      }
    } finally {
      await commands.stop();
    }
  });

  it('QUERY_CELL_ID and CELL_ID are appended BACKWARD-compatibly: each schema registers over its version without them, and the registry refuses the reverse', async () => {
    const { t } = suite;
    const appended = [
      { file: 'schemas/device-command.avsc', field: 'kind', symbol: 'QUERY_CELL_ID' },
      { file: 'schemas/device-status-report.avsc', field: 'kind', symbol: 'CELL_ID' },
    ];
    const subjects: string[] = [];
    const register = (subject: string, schema: unknown) =>
      t.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    try {
      for (const { file, field, symbol } of appended) {
        const current = readSchemaFile(file) as { fields: { name: string; type: { symbols: string[] } }[] };
        const enumOf = (schema: typeof current) => schema.fields.find((f) => f.name === field)!.type;
        expect(enumOf(current).symbols.at(-1), file).toBe(symbol);
        const previous = structuredClone(current);
        enumOf(previous).symbols.pop();

        const forward = `${t.prefix}compat-${symbol}-value`;
        subjects.push(forward);
        await register(forward, previous);
        await expect(register(forward, current), file).resolves.toMatchObject({ id: expect.any(Number) });

        const reverse = `${t.prefix}compat-${symbol}-removed-value`;
        subjects.push(reverse);
        await register(reverse, current);
        await expect(register(reverse, previous), file).rejects.toThrow(/Incompatible/);
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
