import { Command, InvalidArgumentError } from 'commander';
import { parseDashboardConfig } from '../../services/dashboard/config.ts';
import { createReadOnlyDatabase } from '../../services/dashboard/read-db.ts';
import { startDashboard } from '../../services/dashboard/server.ts';
import { stopSignal } from '../../services/runtime/bootstrap.ts';
import { createLogger } from '../../services/runtime/logger.ts';

const port = (value: string): number => {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError('a port number from 0 to 65535 is needed');
  return Number(value);
};

/** `otaflow dashboard`: the read-only web dashboard of campaigns, cells and pilot gates, until SIGTERM/SIGINT. */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('serve the web dashboard (campaigns, one campaign\'s breakdown and results over time, cells, pilot gates), live, reading SQL only')
    .option('--port <port>', 'port to serve on (default OTAFLOW_DASHBOARD_PORT, else 9408)', port)
    .addHelpText('after', '\nExample:\n  $ otaflow dashboard --port 8080    # then open http://localhost:8080/')
    .action(async (options: { port?: number }) => {
      let config;
      try {
        config = parseDashboardConfig(process.env);
      } catch (e) {
        console.error(`otaflow dashboard: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      const log = createLogger('dashboard', config.logLevel, { secrets: config.secrets }).child({ instance: config.instanceId });
      const db = createReadOnlyDatabase(config.databaseUrl);
      const stopped = stopSignal();
      try {
        const server = await startDashboard(db, options.port ?? config.dashboardPort, log);
        await stopped;
        await server.close();
      } catch (e) {
        log.fatal({ err: e }, 'dashboard stopped');
        process.exitCode = 1;
      } finally {
        await db.destroy();
      }
    });
}
