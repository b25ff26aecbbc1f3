import { join } from 'node:path';
import { Argument, Command } from 'commander';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { parseRadioRanges } from '../../services/cell/config.ts';
import { parseDeviceConfig } from '../../services/device/config.ts';
import { startOpsServer, type Check, type OpsServer } from '../../services/ops/http-server.ts';
import { provisionDatabase, provisionSchemas, provisionTopics } from '../../services/ops/provision.ts';
import { DEFAULT_BASE_PORT, serviceNames, servicePort, type ServiceName } from '../../services/ops/services.ts';
import { Supervisor, type ChildSpec } from '../../services/ops/supervisor.ts';
import { dashboardPortAfter, runDashboardPort } from '../../services/dashboard/config.ts';
import { parseProjectorConfig } from '../../services/projector/config.ts';
import { parseRuntimeConfig, type RuntimeConfig } from '../../services/runtime/config.ts';
import { createLogger, type Logger } from '../../services/runtime/logger.ts';
import { projectRoot } from '../../services/runtime/topics.ts';

export function runCommand(): Command {
  return new Command('run')
    .description('provision topics, schemas and migrations, then run the services, each as a child process kept running until SIGTERM/SIGINT')
    .addArgument(new Argument('[service...]', 'services to run (default: all)').choices(serviceNames))
    .option('--no-provision', 'skip provisioning (another instance or a deploy step did it)')
    .option('--no-dashboard', 'start no dashboard (it starts with the projector, on OTAFLOW_DASHBOARD_PORT or base port + 8)')
    .action(async (services: ServiceName[], options: RunOptions) => {
      try {
        process.exitCode = await run(services.length > 0 ? [...new Set(services)] : [...serviceNames], options);
      } catch (e) {
        console.error(`otaflow run: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
}

interface RunOptions {
  readonly provision: boolean;
  readonly dashboard: boolean;
}

/**
 * `otaflow run`: fails fast on any configuration error of the services it runs, provisions
 * (idempotent, refusing on drift), then supervises one process per service. With a base port
 * (OTAFLOW_HTTP_PORT, default 9400; 0: no HTTP) it serves /livez, /readyz (ready when every
 * service is) and /metrics (its own: restarts, process) there, and each service gets its own port
 * (servicePort). Resolves with the exit code once the services have stopped.
 */
async function run(services: readonly ServiceName[], options: RunOptions): Promise<number> {
  const config = parseRuntimeConfig(process.env);
  if (services.includes('projector')) parseProjectorConfig(process.env);
  if (services.includes('cell')) parseRadioRanges(process.env);
  if (services.includes('device')) parseDeviceConfig(process.env);
  const basePort = process.env.OTAFLOW_HTTP_PORT === undefined ? DEFAULT_BASE_PORT : config.httpPort!;
  if (dashboardPortAfter(basePort) > 65_535) throw new Error(`OTAFLOW_HTTP_PORT ${basePort} leaves no room for the ${serviceNames.length} service ports and the dashboard's after it`);
  // The dashboard reads the projector's tables: it runs where the projector runs.
  const dashboardPort = options.dashboard && services.includes('projector') ? runDashboardPort(process.env, basePort) : 0;
  const log = loggerOf('otaflow', config);
  // Before the services start there is nothing to stop: a signal ends provisioning where it is.
  let onSignal: (signal: NodeJS.Signals) => void = () => process.exit(0);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => onSignal(signal));

  if (options.provision) {
    try {
      log.info(await provisionTopics(config, log));
      log.info(await provisionSchemas(config));
      if (services.includes('projector')) for (const line of await provisionDatabase(config.databaseUrl)) log.info(line);
    } catch (e) {
      log.fatal({ err: e }, 'provisioning failed; nothing started');
      return 1;
    }
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const restarts = new Counter({ name: 'otaflow_service_restarts_total', help: 'Service processes the supervisor started again after they exited', labelNames: ['service'], registers: [registry] });
  const children: ChildSpec[] = services.map((name) => ({
    name,
    command: process.execPath,
    args: [join(projectRoot, 'services', name, 'main.ts')],
    env: { ...process.env, OTAFLOW_HTTP_PORT: String(basePort && servicePort(basePort, name)) },
    log: loggerOf(name, config),
  }));
  // A child like the services: restarted when it exits, stopped with them; readiness does not wait for it.
  if (dashboardPort) {
    const env = { ...process.env, OTAFLOW_DASHBOARD_PORT: String(dashboardPort) };
    children.push({ name: 'dashboard', command: process.execPath, args: [join(projectRoot, 'scripts', 'otaflow.ts'), 'dashboard'], env, log: loggerOf('dashboard', config) });
  }
  const supervisor = new Supervisor(children, { log, out: process.stdout, onRestart: (name) => restarts.inc({ service: name }) });
  supervisor.start();
  log.info({ services, ports: basePort ? Object.fromEntries(services.map((s) => [s, servicePort(basePort, s)])) : 'none', dashboard: dashboardPort ? `http://localhost:${dashboardPort}/` : 'none' }, 'services started');
  let ops: OpsServer | undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  try {
    if (basePort) ops = await startOpsServer(basePort, { registry, ready: () => readiness(services, basePort) }, log.child({ component: 'http' }));
  } catch (e) {
    log.fatal({ err: e }, `cannot serve on port ${basePort}; stopping the services`);
    onSignal('SIGTERM');
  }
  const signal = await stopped;
  log.info({ signal }, 'stopping every service');
  const killed = await supervisor.stop(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  await ops?.close();
  log.info({ killed }, 'every service stopped');
  return killed.length > 0 ? 1 : 0;
}

/** Ready when every service answers /readyz with 200. */
async function readiness(services: readonly ServiceName[], basePort: number): Promise<Record<string, Check>> {
  const checks = await Promise.all(
    services.map(async (name): Promise<[string, Check]> => {
      try {
        const response = await fetch(`http://127.0.0.1:${servicePort(basePort, name)}/readyz`, { signal: AbortSignal.timeout(3_000) });
        const body = (await response.json()) as { checks?: Record<string, Check> };
        const failing = Object.entries(body.checks ?? {}).filter(([, c]) => !c.ok);
        return [name, response.ok ? { ok: true } : { ok: false, detail: failing.map(([k, c]) => `${k}: ${c.detail ?? 'not ok'}`).join('; ') || `answered ${response.status}` }];
      } catch (e) {
        return [name, { ok: false, detail: `no answer: ${(e as Error).message}` }];
      }
    }),
  );
  return Object.fromEntries(checks);
}

function loggerOf(service: string, config: RuntimeConfig): Logger {
  return createLogger(service, config.logLevel, { secrets: config.secrets, destination: process.stdout }).child({ instance: config.instanceId });
}
