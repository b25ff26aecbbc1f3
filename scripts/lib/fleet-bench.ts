import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignEvent } from '../../contracts/campaign-events.ts';
import { acceleratedClockSpec } from '../../services/runtime/clock.ts';
import { projectRoot } from '../../services/runtime/topics.ts';
import { generateFleet, radioClasses } from '../fleet/fleet.ts';
import { FleetSimulator } from '../fleet/simulator.ts';
import { scheduleCommand } from './campaign-run.ts';
import { caughtUp, produce } from './kafka.ts';
import { withLocalTokenKeys } from './local-token-keys.ts';
import { scheduleParts } from './schedule-parts.ts';
import { ServiceProcess, type ServiceMemory } from './service-process.ts';
import { TopicRecorder } from './topic-recorder.ts';
import { createTopology, type Topology } from './topology.ts';
import type { KafkaDriver } from '../../services/runtime/config.ts';
import { waitFor } from './wait-for.ts';

/** The services a campaign's devices go through; each runs as its own measured process. */
const fleetServices = ['campaign', 'members', 'device', 'cell'] as const;
type FleetService = (typeof fleetServices)[number];

const DAY = 86_400_000;

const changelogs: Readonly<Record<FleetService, string>> = {
  campaign: 'campaign-changelog',
  members: 'members-changelog',
  device: 'device-changelog',
  cell: 'cell-changelog',
};

export interface FleetBenchOptions {
  readonly devices: number;
  /** Devices per cell; every cell's radio gives limit 50 (R-CELL-1). */
  readonly devicesPerCell: number;
  /** The campaign starts this long after the services, once its devices are checked in and decided. */
  readonly startAfterMs: number;
  /** Also timed: the dispatch of this many devices, the same work at every fleet size. */
  readonly dispatchMark: number;
  /** The Kafka driver of the services and the simulator (OTAFLOW_KAFKA_DRIVER). */
  readonly driver: KafkaDriver;
  readonly progress: (line: string) => void;
}

export interface PhaseFigures {
  readonly seconds: number;
  readonly devicesPerMinute: number;
  /**
   * CPU time each service spent in the phase, in microseconds per device: the cost per device,
   * which a shared machine's load changes far less than it changes the rates.
   */
  readonly cpuMicrosPerDevice: Record<FleetService, number>;
}

/** When a phase started: the wall clock and each service's CPU seconds. */
interface PhaseStart {
  readonly at: number;
  readonly cpu: Record<FleetService, number>;
}

/** Memory of each service at a point of the run (after a full GC), and bytes per device against the start. */
export interface MemoryPoint {
  readonly services: Readonly<Record<FleetService, ServiceMemory>>;
  /** (heapUsed now − heapUsed before the check-ins) ÷ devices, per service. */
  readonly heapBytesPerDevice: Readonly<Record<FleetService, number>>;
  /** Bytes of each service's changelog on the broker's disk (all segments, before or after compaction) ÷ devices; null when the broker's data is not local. */
  readonly changelogBytesPerDevice: Readonly<Record<FleetService, number>> | null;
}

export interface FleetBenchReport {
  readonly devices: number;
  readonly cells: number;
  readonly checkin: PhaseFigures;
  /** From the request to the campaign Queued with every device decided (R-REQ-4). */
  readonly accept: PhaseFigures;
  /** From the campaign's start to every device's first command (QUERY_VERSION: the devices are online). */
  readonly dispatch: PhaseFigures;
  /**
   * From the campaign's start to the first command of `dispatchMark` devices: a long dispatch
   * shares the services with the flows of the devices it started first, a short one hardly.
   */
  readonly dispatchFirst: PhaseFigures & { readonly devices: number };
  /** From the campaign's start to every device's result. */
  readonly complete: PhaseFigures;
  readonly memory: { readonly idle: MemoryPoint; readonly checkedIn: MemoryPoint; readonly accepted: MemoryPoint & { readonly campaignStarted: boolean }; readonly completed: MemoryPoint };
  /** The device service restarted after the run: its restore of every device's state. */
  readonly restore: { readonly ms: number; readonly actors: number; readonly peakRss: number; readonly after: ServiceMemory };
}

/**
 * One campaign of `devices` instant devices (the fleet simulator answers every command at once)
 * through the campaign, members, device and cell services, each its own process answering its
 * memory after a forced GC (memory-probe.ts): the check-ins, the acceptance, the dispatch and
 * the completion timed; heap and changelog bytes per device after each; then the device service
 * restarted and its restore timed, with its peak RSS.
 */
export async function fleetBench(o: FleetBenchOptions): Promise<FleetBenchReport> {
  // A v1 campaign starts at the midnight (UTC) of its start date (R-LC-2): the services' clock is
  // set so that a midnight comes startAfterMs from now, and the campaign waits Queued until then.
  const realStart = Date.now();
  const midnight = Math.ceil(realStart / DAY) * DAY + DAY;
  const t = await createTopology('bench-fleet', { env: { OTAFLOW_CLOCK: acceleratedClockSpec(1, midnight - o.startAfterMs, realStart), OTAFLOW_KAFKA_DRIVER: o.driver } });
  const clock = t.config.clock;
  const cells = Math.max(1, Math.ceil(o.devices / o.devicesPerCell));
  const fleet = generateFleet({ devices: o.devices, cells, idPrefix: `${t.prefix}fleet-`, radioOf: () => radioClasses[0] });
  const env = withLocalTokenKeys(t.env);
  const services = Object.fromEntries(fleetServices.map((n) => [n, new ServiceProcess(n, env, `bench-fleet`, undefined, { measured: true })])) as Record<FleetService, ServiceProcess>;
  // The log files are appended to: each service's lines of this run start at its file's current end.
  const logFrom = new Map(Object.values(services).map((s) => [s, existsSync(s.logFile) ? statSync(s.logFile).size : 0]));
  const logOf = (s: ServiceProcess) => readFileSync(s.logFile, 'utf8').slice(logFrom.get(s));
  for (const s of Object.values(services)) s.start();
  const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now: clock.now });
  try {
    await simulator.start();
    for (const s of Object.values(services)) await waitFor(`the ${s.name} service to start`, () => logOf(s).includes('"service started"'), 120_000, 200);
    const idle = await memoryPoint(t, services, o.devices);

    const startPhase = (): PhaseStart => ({ at: Date.now(), cpu: cpuOf(services) });
    let started = startPhase();
    await simulator.checkInAll();
    await waitFor('the device service to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 3_600_000, 500);
    const checkin = phase(o.devices, started, services);
    o.progress(`${o.devices} devices checked in: ${show(checkin)}`);
    const checkedIn = await memoryPoint(t, services, o.devices, idle);
    o.progress(`checked in: ${showMemory(checkedIn)}`);

    const campaignId = `${t.prefix}fleet`;
    const states: string[] = [];
    // Both only count: a million records kept would weigh on the bench's own process.
    const events = await TopicRecorder.start<CampaignEvent>(t, 'campaign-events', {
      keep: (r) => {
        if (r.key === campaignId && r.value.type === 'STATE_CHANGED') states.push(r.value.to ?? '');
        return false;
      },
    });
    let results = 0;
    const resultCounter = await TopicRecorder.start(t, 'campaign-device-results', {
      keep: (r) => {
        if (r.key === campaignId) results++;
        return false;
      },
    });
    const base = scheduleCommand(campaignId, fleet);
    started = startPhase();
    const request = { ...base.request, schedule: { ...base.request.schedule, kind: 'FUTURE' as const, startAt: midnight } };
    const commands = scheduleParts(campaignId, request, fleet.map((d) => d.deviceId), clock.now());
    await produce(t, 'campaign-commands', commands.map((c) => ({ key: campaignId, value: t.codecs.get('campaign-commands')!.encode(c) })));
    await waitFor('the campaign to be Queued with every device decided', () => states.includes('Queued') || states.includes('RequestFailed'), 3_600_000, 100);
    if (!states.includes('Queued')) throw new Error(`the campaign did not queue: ${states.join(' → ')}`);
    const accept = phase(o.devices, started, services);
    o.progress(`accepted: ${show(accept)}`);
    const campaignStarted = states.includes('InProgress');
    const accepted = { ...(await memoryPoint(t, services, o.devices, idle)), campaignStarted };
    o.progress(`accepted: ${showMemory(accepted)}${campaignStarted ? ' (the campaign had started: raise BENCH_FLEET_START_AFTER_S)' : ''}`);

    await waitFor('the campaign to start', () => states.includes('InProgress'), o.startAfterMs + 600_000, 50);
    started = startPhase();
    const dispatched = () => simulator.commandsSeen.get('QUERY_VERSION') ?? 0;
    const mark = Math.min(o.dispatchMark, o.devices);
    await waitFor(`${mark} devices to get their first command`, () => dispatched() >= mark, 3_600_000, 50);
    const dispatchFirst = { ...phase(mark, started, services), devices: mark };
    await waitFor('every device to get its first command', () => dispatched() >= o.devices, 3_600_000, 100);
    const dispatch = phase(o.devices, started, services);
    o.progress(`dispatched: ${show(dispatch)}; the first ${mark}: ${show(dispatchFirst)}`);
    await waitFor('every device to finish', () => results >= o.devices, 3_600_000, 200);
    const complete = phase(o.devices, started, services);
    o.progress(`completed: ${show(complete)}`);
    await Promise.all([events.stop(), resultCounter.stop()]);
    const completed = await memoryPoint(t, services, o.devices, idle);
    o.progress(`completed: ${showMemory(completed)}`);

    const restore = await restartDevice(services.device);
    o.progress(`device service restored ${restore.actors} actors in ${(restore.ms / 1000).toFixed(1)} s, peak RSS ${mib(restore.peakRss)}, after GC heap ${mib(restore.after.heapUsed)} RSS ${mib(restore.after.rss)}`);
    return { devices: o.devices, cells, checkin, accept, dispatch, dispatchFirst, complete, memory: { idle, checkedIn, accepted, completed }, restore };
  } finally {
    await simulator.stop();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await t.dispose();
  }
}

const cpuOf = (services: Record<FleetService, ServiceProcess>) => Object.fromEntries(fleetServices.map((n) => [n, services[n].cpuSeconds()])) as Record<FleetService, number>;

function phase(devices: number, started: PhaseStart, services: Record<FleetService, ServiceProcess>): PhaseFigures {
  const seconds = (Date.now() - started.at) / 1000;
  const cpu = cpuOf(services);
  const cpuMicrosPerDevice = Object.fromEntries(fleetServices.map((n) => [n, Math.round(((cpu[n] - started.cpu[n]) * 1e6) / devices)])) as Record<FleetService, number>;
  return { seconds, devicesPerMinute: (devices / seconds) * 60, cpuMicrosPerDevice };
}

async function memoryPoint(t: Topology, services: Record<FleetService, ServiceProcess>, devices: number, before?: MemoryPoint): Promise<MemoryPoint> {
  const measured = {} as Record<FleetService, ServiceMemory>;
  // One after the other: collections in parallel would compete for the two cores.
  for (const name of fleetServices) measured[name] = await services[name].memory();
  const perDevice = (value: (name: FleetService) => number) => Object.fromEntries(fleetServices.map((n) => [n, Math.round(value(n) / devices)])) as Record<FleetService, number>;
  const disk = changelogBytes(t);
  return {
    services: measured,
    heapBytesPerDevice: perDevice((n) => measured[n].heapUsed - (before?.services[n].heapUsed ?? measured[n].heapUsed)),
    changelogBytesPerDevice: disk ? perDevice((n) => disk[n]) : null,
  };
}

/** Sizes of each changelog's segment files in the local broker's data directory (scripts/stack). */
function changelogBytes(t: Topology): Record<FleetService, number> | undefined {
  const data = join(process.env.OTAFLOW_STACK_DIR ?? join(projectRoot, '.stack'), 'kafka', 'data');
  let dirs: string[];
  try {
    dirs = readdirSync(data);
  } catch {
    return undefined;
  }
  const bytes = {} as Record<FleetService, number>;
  for (const name of fleetServices) {
    const topic = t.names.name(changelogs[name]);
    bytes[name] = dirs
      .filter((d) => d.startsWith(`${topic}-`) && /^\d+$/.test(d.slice(topic.length + 1)))
      .flatMap((d) => readdirSync(join(data, d)).filter((f) => f.endsWith('.log')).map((f) => statSync(join(data, d, f)).size))
      .reduce((a, b) => a + b, 0);
  }
  return bytes;
}

/** Stops the device service and starts it again; its restore is timed by its own "restored tasks" line. */
async function restartDevice(device: ServiceProcess): Promise<FleetBenchReport['restore']> {
  await device.stop();
  const from = statSync(device.logFile).size;
  device.start('restarted');
  const line = await waitFor(
    'the device service to restore its tasks',
    () => readFileSync(device.logFile, 'utf8').slice(from).split('\n').find((l) => l.includes('"restored tasks"')),
    600_000,
    100,
  );
  const restored = JSON.parse(line) as { ms: number; actors: number };
  return { ms: restored.ms, actors: restored.actors, peakRss: device.peakRss(), after: await device.memory() };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const show = (p: PhaseFigures) =>
  `${p.devicesPerMinute.toFixed(0)} devices/min (${p.seconds.toFixed(1)} s; CPU per device ${fleetServices.map((n) => `${n} ${p.cpuMicrosPerDevice[n]} µs`).join(', ')})`;

function showMemory(m: MemoryPoint): string {
  return fleetServices
    .map((n) => `${n} RSS ${mib(m.services[n].rss)} heap ${mib(m.services[n].heapUsed)} (${m.heapBytesPerDevice[n]} B/device${m.changelogBytesPerDevice ? `, changelog ${m.changelogBytesPerDevice[n]} B/device` : ''})`)
    .join('; ');
}
