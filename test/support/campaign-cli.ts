import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleet } from '../../scripts/fleet/fleet.ts';
import { FleetSimulator } from '../../scripts/fleet/simulator.ts';
import { scheduleCommand } from '../../scripts/lib/campaign-run.ts';
import { caughtUp } from '../../scripts/lib/kafka.ts';
import type { Topology } from '../../scripts/lib/topology.ts';
import { waitFor } from '../../scripts/lib/wait-for.ts';
import { projectRoot } from '../../services/runtime/topics.ts';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `otaflow campaign <args>` as an operator runs it: a process of its own, with `env`. */
export function otaflowCampaign(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(projectRoot, 'scripts', 'otaflow.ts'), 'campaign', ...args], { cwd: projectRoot, env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A simulated fleet of `devices` checked in (the device service has read every check-in) and a
 * request file in `dir` scheduling one campaign of them all, as an operator would write it.
 */
export async function fleetWithRequestFile(t: Topology, devices: number, cells: number, seed: number, dir: string) {
  const fleet = generateFleet({ devices, cells, idPrefix: t.prefix, seed });
  const simulator = new FleetSimulator(fleet, { kafka: t.kafka, names: t.names, codecs: t.codecs, now: Date.now });
  await simulator.start();
  await simulator.checkInAll();
  await waitFor('the device service to read every check-in', () => caughtUp(t, `${t.prefix}otaflow.device`, 'device-checkins'), 120_000, 200);
  const { campaignId, request, deviceIds } = scheduleCommand(`${t.prefix}campaign`, fleet);
  const file = join(dir, 'campaign.json');
  writeFileSync(file, JSON.stringify({ campaignId, request, deviceIds }));
  return { fleet, simulator, campaignId, file };
}
