/**
 * npm run bench: throughput on the local stack, all in one run on the same broker.
 *  1. raw kafkajs consume → produce passthrough of N records (the ceiling);
 *  2. the same N records through the actor runtime (the cell service: decode, decide,
 *     changelog, outputs and offsets in one transaction per batch);
 *  3. one campaign of D simulated devices answering instantly through every service
 *     (devices completed per minute).
 * Prints events/s and the ratio, and writes a JSON report to .stack/bench/.
 * BENCH_MESSAGES (default 200000) and BENCH_DEVICES (default 5000) size the runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import type { CellRequest } from '../services/cell/messages.ts';
import { cellService } from '../services/cell/service.ts';
import { startService } from '../services/runtime/service.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { generateFleet } from './fleet/fleet.ts';
import { launchCampaign } from './lib/campaign-run.ts';
import { caughtUp, produce } from './lib/kafka.ts';
import { Pipeline } from './lib/pipeline.ts';
import { createTopology, type Topology } from './lib/topology.ts';
import { waitFor } from './lib/wait-for.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 5_000);
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
  const producer = t.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  const consumer = t.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: t.names.name('cell-requests'), fromBeginning: true });
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

async function deviceFlow(t: Topology): Promise<{ seconds: number; devices: number }> {
  const pipeline = new Pipeline(t, `${t.prefix}bench`);
  pipeline.start();
  const fleet = generateFleet({ devices: DEVICES, cells: CELLS, idPrefix: t.prefix });
  try {
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign`);
    const started = Date.now();
    await waitFor('every device to finish', () => run.results.records.length >= fleet.length, 900_000, 100);
    const seconds = (Date.now() - started) / 1000;
    await run.stop();
    return { seconds, devices: fleet.length };
  } finally {
    await pipeline.stop();
  }
}

execFileSync('bash', ['scripts/stack', 'up'], { cwd: projectRoot, stdio: 'inherit' });
const t = await createTopology('bench');
console.log(`bench: producing ${MESSAGES} cell requests over ${CELLS} cells`);
await produce(t, 'cell-requests', cellRequests(MESSAGES));

const rawSeconds = await rawPassthrough(t);
const rawRate = MESSAGES / rawSeconds;
console.log(`bench: raw kafkajs passthrough   ${rawRate.toFixed(0).padStart(8)} events/s (${MESSAGES} in ${rawSeconds.toFixed(1)} s)`);
const runtimeSeconds = await runtimePipeline(t);
const runtimeRate = MESSAGES / runtimeSeconds;
console.log(`bench: actor runtime (cell)      ${runtimeRate.toFixed(0).padStart(8)} events/s (${MESSAGES} in ${runtimeSeconds.toFixed(1)} s)`);
console.log(`bench: runtime / raw ratio       ${(runtimeRate / rawRate).toFixed(2)}`);
const flow = await deviceFlow(t);
const perMinute = (flow.devices / flow.seconds) * 60;
console.log(`bench: device flow end to end    ${perMinute.toFixed(0).padStart(8)} devices/min (${flow.devices} devices in ${flow.seconds.toFixed(1)} s)`);

const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  messages: MESSAGES,
  raw: { seconds: rawSeconds, eventsPerSecond: rawRate },
  runtime: { seconds: runtimeSeconds, eventsPerSecond: runtimeRate, ratioToRaw: runtimeRate / rawRate },
  deviceFlow: { devices: flow.devices, cells: CELLS, seconds: flow.seconds, devicesPerMinute: perMinute },
};
const dir = join(projectRoot, '.stack', 'bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${report.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`bench: report written to ${file}`);
await t.dispose();
process.exit(0);
