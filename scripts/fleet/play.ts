/**
 * npm run fleet -- <request file...>: plays the devices a campaign request file names
 * (examples/), as the simulator plays them in the tests — of the file's protocol, make, model
 * and first from-version, spread over cells of every radio class — against a running otaflow
 * (the services' environment: OTAFLOW_KAFKA_BROKERS, OTAFLOW_TOPIC_PREFIX, ...). It checks them
 * in, then answers their commands until Ctrl-C.
 */
import { Command, InvalidArgumentError } from 'commander';
import { parseRuntimeConfig } from '../../services/runtime/config.ts';
import { createLogger } from '../../services/runtime/logger.ts';
import { campaignFileOf, readDocument } from '../cli/campaign/request-file.ts';
import { connectTopics } from '../lib/topology.ts';
import { generateFleet, type SimDevice } from './fleet.ts';
import { FleetSimulator } from './simulator.ts';

const share = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('a share from 0 to 1 is needed');
  return n;
};

/** The devices of one request file: ids from the file, the rest from the deterministic fleet generator. */
function devicesOf(path: string, options: { cells: number; failureRate: number }): SimDevice[] {
  const { campaignId, request, deviceIds } = campaignFileOf(readDocument(path), path);
  const fleet = generateFleet({
    devices: deviceIds.length,
    cells: options.cells,
    idPrefix: `${campaignId}-`,
    make: request.make,
    model: request.model,
    fromVersion: request.fromVersions[0],
    protocols: [request.protocol],
    failureRate: options.failureRate,
  });
  return fleet.map((d, i) => ({ ...d, deviceId: deviceIds[i]! }));
}

const program = new Command('fleet')
  .argument('<files...>', 'campaign request files whose devices to play')
  .option('--cells <n>', 'cells the devices of each file spread over', (v) => Number.parseInt(v, 10), 6)
  .option('--failure-rate <share>', 'share of devices whose upgrade fails (result code 8)', share, 0)
  .action(async (files: string[], options: { cells: number; failureRate: number }) => {
    const config = parseRuntimeConfig(process.env);
    const logger = createLogger('fleet', config.logLevel, { secrets: config.secrets });
    const devices = files.flatMap((f) => devicesOf(f, options));
    const topics = await connectTopics(config, logger, 'otaflow-fleet', ['device-checkins', 'device-commands', 'device-status-reports']);
    const simulator = new FleetSimulator(devices, { ...topics, now: Date.now });
    await simulator.start();
    await simulator.checkInAll();
    logger.info({ devices: devices.length, files }, 'devices checked in; answering their commands until Ctrl-C');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await simulator.stop();
  });
await program.parseAsync();
process.exit();
