/**
 * npm run bench: throughput on the local stack, all in one run on the same broker.
 *  1. raw consume → produce passthrough of N records through the Kafka client (the ceiling);
 *  2. the same N records through the actor runtime (the cell service: decode, decide,
 *     changelog, outputs and offsets in one transaction per batch);
 *  3. one campaign of D simulated devices answering instantly through every service
 *     (devices completed per minute);
 *  4. the acceptance of one campaign of A devices (R-REQ-4), sent in parts of 10,000:
 *     from the request to a decision for every device (devices decided per minute).
 *  5. the projector: a replay of P records on every projection's topics into PostgreSQL
 *     (records/s, a record read by two projections counted once), then R records/s for S
 *     seconds while the projections keep up (lag from produce to SQL commit, p50/p99/max).
 * Prints events/s and the ratio, and writes a JSON report to .stack/bench/.
 * BENCH_MESSAGES (default 200000), BENCH_DEVICES (default 5000), BENCH_ACCEPTANCE_DEVICES
 * (default 100000), BENCH_PROJECTION_EVENTS (P, default 1000000), BENCH_PROJECTION_RATE (R,
 * default 10000) and BENCH_PROJECTION_SECONDS (S, default 30) size the runs;
 *  6. the fleet: BENCH_FLEET_DEVICES (default 1,000,000) instant devices, after the same at
 *     BENCH_FLEET_BASELINE_DEVICES (default 100,000) for the ratio, checked in, accepted into one
 *     campaign, dispatched and completed, every cell at limit 50, through the campaign, members,
 *     device and cell services as their own processes (scripts/lib/fleet-bench.ts): devices/min
 *     per phase, heap and changelog bytes per device and RSS per service, and the device service's
 *     restore after a restart. BENCH_FLEET_DEVICES_PER_CELL (default 1000) sizes the cells and
 *     BENCH_FLEET_START_AFTER_S (default devices ÷ 4000 + 40) is when the campaign starts, counted
 *     from the services' start: after every device is checked in and decided.
 * BENCH_ONLY lists the steps to run, of `runtime` (1 to 4), `fleet` and `projector` (default all),
 * e.g. BENCH_ONLY=runtime,projector.
 * Every step runs once per Kafka driver (services/runtime/kafka), one driver after the other on
 * the same broker: BENCH_DRIVERS (default every driver) lists them. BENCH_ROUNDS (default 1) runs
 * all of it that many times; each step's figures are printed side by side, per driver the median
 * and range of the rounds and the ratio to the first driver's in the same round
 * (driver-comparison.ts), and the report holds every round.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CellRequest } from '../contracts/cell-requests.ts';
import { cellService } from '../services/cell/service.ts';
import { startService } from '../services/runtime/service.ts';
import { envPositiveInteger, KAFKA_DRIVERS, type KafkaDriver } from '../services/runtime/config.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { generateFleet } from './fleet/fleet.ts';
import { FleetSimulator } from './fleet/simulator.ts';
import { launchCampaign, scheduleCommand } from './lib/campaign-run.ts';
import { estimateErrors, showEstimateErrors, type EstimateError } from './lib/estimate-error.ts';
import type { CampaignEvent } from '../contracts/campaign-events.ts';
import { TopicRecorder } from './lib/topic-recorder.ts';
import { caughtUp, produce } from './lib/kafka.ts';
import { Pipeline } from './lib/pipeline.ts';
import { projectorBench } from './lib/projector-bench.ts';
import { fleetBench, type FleetBenchReport, type PhaseFigures } from './lib/fleet-bench.ts';
import { createTopology, type Topology } from './lib/topology.ts';
import { compareDrivers, showSpread, type StepComparison } from './lib/driver-comparison.ts';
import { scheduleParts } from './lib/schedule-parts.ts';
import { waitFor } from './lib/wait-for.ts';

const MESSAGES = envPositiveInteger(process.env, 'BENCH_MESSAGES', 200_000);
const DEVICES = envPositiveInteger(process.env, 'BENCH_DEVICES', 5_000);
const ACCEPTANCE_DEVICES = envPositiveInteger(process.env, 'BENCH_ACCEPTANCE_DEVICES', 100_000);
const PROJECTION_EVENTS = envPositiveInteger(process.env, 'BENCH_PROJECTION_EVENTS', 1_000_000);
const PROJECTION_RATE = envPositiveInteger(process.env, 'BENCH_PROJECTION_RATE', 10_000);
const PROJECTION_SECONDS = envPositiveInteger(process.env, 'BENCH_PROJECTION_SECONDS', 30);
const FLEET_DEVICES = envPositiveInteger(process.env, 'BENCH_FLEET_DEVICES', 1_000_000);
const FLEET_BASELINE_DEVICES = envPositiveInteger(process.env, 'BENCH_FLEET_BASELINE_DEVICES', 100_000);
const FLEET_DEVICES_PER_CELL = envPositiveInteger(process.env, 'BENCH_FLEET_DEVICES_PER_CELL', 1000);
const STEPS = ['runtime', 'fleet', 'projector'] as const;
const ONLY = benchSteps(process.env.BENCH_ONLY);
const ROUNDS = envPositiveInteger(process.env, 'BENCH_ROUNDS', 1);
/** BENCH_DRIVERS: the Kafka drivers to run every step on, in this order (default all); ratios are to the first. */
const DRIVERS = benchDrivers(process.env.BENCH_DRIVERS);
type Say = (line: string) => void;

function benchDrivers(value: string | undefined): KafkaDriver[] {
  if (value === undefined) return [...KAFKA_DRIVERS];
  const asked = value.split(',').map((d) => d.trim()).filter(Boolean);
  const unknown = asked.filter((d) => !(KAFKA_DRIVERS as readonly string[]).includes(d));
  if (asked.length === 0 || unknown.length > 0) throw new Error(`BENCH_DRIVERS must list drivers of ${KAFKA_DRIVERS.join(', ')}, got "${value}"`);
  return asked as KafkaDriver[];
}
function benchSteps(value: string | undefined): ReadonlySet<(typeof STEPS)[number]> {
  if (value === undefined) return new Set(STEPS);
  const asked = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = asked.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (asked.length === 0 || unknown.length > 0) throw new Error(`BENCH_ONLY must list steps of ${STEPS.join(', ')}, got "${value}"`);
  return new Set(asked as (typeof STEPS)[number][]);
}
const CELLS = 200;

function cellRequests(n: number): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let i = 0; out.length < n; i++) {
    const cellId = `bench-cell-${i % CELLS}`;
    const base = { cellId, deviceId: `bench-dev-${i}`, campaignId: 'bench', attempt: 1, at: 0 };
    const acquire: CellRequest = { type: 'acquire', ...base, radio: { rsrp: -90, sinr: 12 } };
    const release: CellRequest = { type: 'release', ...base, reason: 'done' };
    out.push({ key: cellId, value: JSON.stringify(acquire) });
    if (out.length < n) out.push({ key: cellId, value: JSON.stringify(release) });
  }
  return out;
}

async function timeUntilCaughtUp(t: Topology, groupId: string, topicId: string): Promise<number> {
  const started = Date.now();
  await waitFor(`${groupId} to consume ${topicId}`, () => caughtUp(t, groupId, topicId), 600_000, 100);
  return (Date.now() - started) / 1000;
}

async function rawPassthrough(t: Topology): Promise<number> {
  const groupId = `${t.prefix}bench.raw`;
  const producer = t.kafka.producer({ idempotent: true });
  await producer.connect();
  const consumer = t.kafka.consumer({ groupId, maxWaitTimeMs: 100 });
  await consumer.connect();
  await consumer.subscribe(t.names.name('cell-requests'), { fromBeginning: true });
  const target = t.names.name('cell-grants');
  const started = Date.now();
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      await producer.send({ topic: target, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
    },
  });
  await waitFor('raw passthrough to consume everything', () => caughtUp(t, groupId, 'cell-requests'), 600_000, 100);
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  return seconds;
}

async function runtimePipeline(t: Topology): Promise<number> {
  const service = await startService(cellService(), { kafka: t.kafka, names: t.names, codecs: t.codecs, clock: t.config.clock, logger: t.logger });
  try {
    return await timeUntilCaughtUp(t, `${t.prefix}otaflow.cell`, 'cell-requests');
  } finally {
    await service.stop();
  }
}

async function deviceFlow(t: Topology): Promise<{ seconds: number; devices: number; estimateErrors: EstimateError[] }> {
  const fleet = generateFleet({ devices: DEVICES, cells: CELLS, idPrefix: `${t.prefix}flow-` });
  const campaignId = `${t.prefix}campaign`;
  const events = await TopicRecorder.start<CampaignEvent>(t, 'campaign-events', { from: 'now', keep: (r) => r.key === campaignId && r.value.type === 'ESTIMATE' });
  const run = await launchCampaign(t, fleet, campaignId);
  const started = Date.now();
  await waitFor('every device to finish', () => run.results.records.length >= fleet.length, 900_000, 100);
  const seconds = (Date.now() - started) / 1000;
  // R-SAFE-6: the estimates in force at 25, 50 and 75 % of the results against the actual end.
  const estimates = events.values().map((e) => ({ at: e.at, estimatedEndAt: e.estimatedEndAt! }));
  const errors = estimateErrors(estimates, run.results.values().map((r) => r.at));
  await Promise.all([run.stop(), events.stop()]);
  return { seconds, devices: fleet.length, estimateErrors: errors };
}

async function acceptance(t: Topology): Promise<{ seconds: number; devices: number; accepted: number }> {
  const fleet = generateFleet({ devices: ACCEPTANCE_DEVICES, cells: CELLS, idPrefix: `${t.prefix}acc-` });
  const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now: Date.now });
  await simulator.checkInAll();
  await waitFor('the device service to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 600_000, 200);
  const events = await TopicRecorder.start<{ type: string; to: string | null; deviceStatus: string | null }>(t, 'campaign-events');
  const campaignId = `${t.prefix}acceptance`;
  // A future campaign: it is Queued once every device is decided, and no device starts work.
  const base = scheduleCommand(campaignId, fleet);
  const request = { ...base.request, schedule: { ...base.request.schedule, kind: 'FUTURE' as const, startAt: Date.now() + 7 * 86_400_000 } };
  const commands = scheduleParts(campaignId, request, fleet.map((d) => d.deviceId), base.at, (part) => `${campaignId}-${part}`);
  const started = Date.now();
  await produce(t, 'campaign-commands', commands.map((c) => ({ key: campaignId, value: t.codecs.get('campaign-commands')!.encode(c) })));
  const mine = () => events.records.filter((r) => r.key === campaignId).map((r) => r.value);
  await waitFor('the campaign to be Queued with every device decided', () => mine().some((e) => e.type === 'STATE_CHANGED' && e.to === 'Queued'), 900_000, 100);
  const seconds = (Date.now() - started) / 1000;
  const decisions = mine().filter((e) => e.type === 'DEVICE_DECISION');
  await events.stop();
  if (decisions.length !== fleet.length) throw new Error(`expected ${fleet.length} decisions, got ${decisions.length}`);
  return { seconds, devices: fleet.length, accepted: decisions.filter((d) => d.deviceStatus === 'Accepted').length };
}

/** Steps 1 to 4, on one topology. */
async function runtimeSteps(driver: KafkaDriver, say: Say) {
  const t = await createTopology('bench', { env: { OTAFLOW_KAFKA_DRIVER: driver } });
  say(`producing ${MESSAGES} cell requests over ${CELLS} cells`);
  await produce(t, 'cell-requests', cellRequests(MESSAGES));

  const rawSeconds = await rawPassthrough(t);
  const rawRate = MESSAGES / rawSeconds;
  say(`raw passthrough           ${rawRate.toFixed(0).padStart(8)} events/s (${MESSAGES} in ${rawSeconds.toFixed(1)} s)`);
  const runtimeSeconds = await runtimePipeline(t);
  const runtimeRate = MESSAGES / runtimeSeconds;
  say(`actor runtime (cell)      ${runtimeRate.toFixed(0).padStart(8)} events/s (${MESSAGES} in ${runtimeSeconds.toFixed(1)} s)`);
  say(`runtime / raw ratio       ${(runtimeRate / rawRate).toFixed(2)}`);
  const pipeline = new Pipeline(t, `${t.prefix}bench`);
  pipeline.start();
  const flow = await deviceFlow(t);
  const perMinute = (flow.devices / flow.seconds) * 60;
  say(`device flow end to end    ${perMinute.toFixed(0).padStart(8)} devices/min (${flow.devices} devices in ${flow.seconds.toFixed(1)} s)`);
  say(`completion estimate error ${showEstimateErrors(flow.estimateErrors)}`);
  const accept = await acceptance(t);
  const acceptedPerMinute = (accept.devices / accept.seconds) * 60;
  say(`campaign acceptance       ${acceptedPerMinute.toFixed(0).padStart(8)} devices/min (${accept.devices} devices decided in ${accept.seconds.toFixed(1)} s, ${accept.accepted} accepted)`);
  await pipeline.stop();
  await t.dispose();
  return {
    messages: MESSAGES,
    raw: { seconds: rawSeconds, eventsPerSecond: rawRate },
    runtime: { seconds: runtimeSeconds, eventsPerSecond: runtimeRate, ratioToRaw: runtimeRate / rawRate },
    deviceFlow: { devices: flow.devices, cells: CELLS, seconds: flow.seconds, devicesPerMinute: perMinute, estimateErrors: flow.estimateErrors },
    acceptance: { devices: accept.devices, accepted: accept.accepted, seconds: accept.seconds, devicesPerMinute: acceptedPerMinute },
  };
}

/** Step 6: the baseline size, then the full one; the rates at the full size as ratios to the baseline's. */
async function fleetSteps(driver: KafkaDriver, say: Say) {
  const sizes = FLEET_BASELINE_DEVICES < FLEET_DEVICES ? [FLEET_BASELINE_DEVICES, FLEET_DEVICES] : [FLEET_DEVICES];
  const runs: FleetBenchReport[] = [];
  for (const devices of sizes) {
    const startAfterS = envPositiveInteger(process.env, 'BENCH_FLEET_START_AFTER_S', Math.round(devices / 4000 + 40));
    runs.push(await fleetBench({ devices, devicesPerCell: FLEET_DEVICES_PER_CELL, startAfterMs: startAfterS * 1000, dispatchMark: sizes[0]!, driver, progress: (line) => say(`fleet ${devices}: ${line}`) }));
  }
  const [base, full] = [runs[0]!, runs.at(-1)!];
  const ratio = (rate: (r: FleetBenchReport) => number) => rate(full) / rate(base);
  const ratios = {
    accept: ratio((r) => r.accept.devicesPerMinute),
    dispatch: ratio((r) => r.dispatch.devicesPerMinute),
    dispatchFirst: ratio((r) => r.dispatchFirst.devicesPerMinute),
    complete: ratio((r) => r.complete.devicesPerMinute),
  };
  // The cost per device: all four services' CPU time per device of a phase, at the full size ÷ at the baseline (1 = flat).
  const cpu = (p: PhaseFigures) => Object.values(p.cpuMicrosPerDevice).reduce((a, b) => a + b, 0);
  const cost = (of: (r: FleetBenchReport) => PhaseFigures) => cpu(of(full)) / cpu(of(base));
  const cpuPerDevice = { accept: cost((r) => r.accept), dispatch: cost((r) => r.dispatch), complete: cost((r) => r.complete) };
  if (runs.length > 1) {
    say(
      `fleet rates at ${full.devices} ÷ at ${base.devices}: accept ${ratios.accept.toFixed(2)}, dispatch ${ratios.dispatch.toFixed(2)} ` +
        `(of the first ${base.devices} devices ${ratios.dispatchFirst.toFixed(2)}), complete ${ratios.complete.toFixed(2)}`,
    );
    say(`fleet CPU per device at ${full.devices} ÷ at ${base.devices}: accept ${cpuPerDevice.accept.toFixed(2)}, dispatch ${cpuPerDevice.dispatch.toFixed(2)}, complete ${cpuPerDevice.complete.toFixed(2)}`);
  }
  return { runs, ratios: runs.length > 1 ? { ...ratios, cpuPerDevice } : null };
}

/** One driver's run of every step asked for (BENCH_ONLY), its lines tagged with the driver. */
async function benchDriver(driver: KafkaDriver) {
  const say: Say = (line) => console.log(`bench [${driver}]: ${line}`);
  const runtime = ONLY.has('runtime') ? await runtimeSteps(driver, say) : null;
  const fleet = ONLY.has('fleet') ? await fleetSteps(driver, say) : null;
  const projector = !ONLY.has('projector') ? null : await projectorBench({
    events: PROJECTION_EVENTS,
    rate: PROJECTION_RATE,
    seconds: PROJECTION_SECONDS,
    driver,
    progress: (line) => say(`projector: ${line}`),
  });
  if (projector) {
    const { replay, live } = projector;
    say(
      `projector replay          ${replay.recordsPerSecond.toFixed(0).padStart(8)} records/s into PostgreSQL (${replay.records} records on the topics, each counted once however many projections read it, ` +
        `in ${replay.seconds.toFixed(1)} s of which ${replay.startSeconds.toFixed(1)} s starting ${projector.projections.length} projections; event loop busy ${(replay.eventLoopBusy * 100).toFixed(0)}%)`,
    );
    say(`projector replay rows     ${Object.entries(replay.rowsByTable).map(([table, n]) => `${table} ${n}`).join(', ')}`);
    say(
      `projector lag at ${live.targetRate}/s  p50 ${live.lagMs.p50} ms, p99 ${live.lagMs.p99} ms, max ${live.lagMs.max} ms (produce to SQL commit; ${live.records} records in ${live.produceSeconds.toFixed(1)} s = ` +
        `${live.producedPerSecond.toFixed(0)}/s, all committed ${live.drainSeconds.toFixed(1)} s after the last send: ${live.keptUp ? 'kept up' : 'did NOT keep up'}; event loop busy ${(live.eventLoopBusy * 100).toFixed(0)}%)`,
    );
    say(`projector lag p99 per 5 s ${live.lagP99MsPer5s.join(', ')} ms`);
  }
  return { runtime, fleet, projector };
}

type DriverReport = Awaited<ReturnType<typeof benchDriver>>;

/** The figures compared across drivers: a higher one is better for each. */
const compared: [string, (r: DriverReport) => number | undefined][] = [
  ['raw passthrough events/s', (r) => r.runtime?.raw.eventsPerSecond],
  ['actor runtime events/s', (r) => r.runtime?.runtime.eventsPerSecond],
  ['device flow devices/min', (r) => r.runtime?.deviceFlow.devicesPerMinute],
  ['acceptance devices/min', (r) => r.runtime?.acceptance.devicesPerMinute],
  ['fleet accept devices/min', (r) => r.fleet?.runs.at(-1)?.accept.devicesPerMinute],
  ['fleet dispatch devices/min', (r) => r.fleet?.runs.at(-1)?.dispatch.devicesPerMinute],
  ['fleet complete devices/min', (r) => r.fleet?.runs.at(-1)?.complete.devicesPerMinute],
  ['projector replay records/s', (r) => r.projector?.replay.recordsPerSecond],
];

/** Prints each step's figures per driver and the ratios to the first driver's (driver-comparison.ts). */
function printComparison(table: Record<string, StepComparison>): void {
  for (const [step, { figures, ratios }] of Object.entries(table)) {
    const parts = [...Object.entries(figures).map(([d, s]) => `${d} ${showSpread(s, 0)}`), ...Object.entries(ratios).map(([d, s]) => `${d} ${showSpread(s, 2)}`)];
    console.log(`bench: ${step.padEnd(27)} ${parts.join(', ')}`);
  }
}

execFileSync('bash', ['scripts/stack', 'up'], { cwd: projectRoot, stdio: 'inherit' });
const rounds: Map<KafkaDriver, DriverReport>[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  if (ROUNDS > 1) console.log(`bench: round ${round} of ${ROUNDS}`);
  const reports = new Map<KafkaDriver, DriverReport>();
  for (const driver of DRIVERS) reports.set(driver, await benchDriver(driver));
  rounds.push(reports);
}
const comparison = compareDrivers(rounds, compared);
if (DRIVERS.length > 1 || ROUNDS > 1) printComparison(comparison);

const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  rounds: rounds.map((reports) => Object.fromEntries(reports)),
  comparison,
};
const dir = join(projectRoot, '.stack', 'bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${report.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`bench: report written to ${file}`);
process.exit(0);
