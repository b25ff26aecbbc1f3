/**
 * npm run demo: brings the stack up, provisions topics, schemas and migrations, runs every
 * service as its own process and a simulated fleet of 200 devices over 10 cells through
 * one campaign, shows progress, and prints a summary read back from SQL. It may run again and
 * again on the same stack: each run has its own devices, cells and campaign.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../services/projector/database.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { runDemoCampaign } from './lib/demo-campaign.ts';
import { Pipeline, serviceNames } from './lib/pipeline.ts';
import { demoLogDir } from './lib/service-process.ts';
import { createTopology } from './lib/topology.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

execFileSync('bash', ['scripts/stack', 'up'], { cwd: projectRoot, stdio: 'inherit' });
const t = await createTopology('demo', { prefix: '' });
say('demo: topics and schemas in place');
const pipeline = new Pipeline(t, `demo-${randomUUID().slice(0, 6)}`, demoLogDir);
const db = createDatabase(t.config.databaseUrl);
let ok = false;
try {
  pipeline.start();
  say(`demo: services started (${serviceNames.join(', ')}); logs in ${demoLogDir}`);
  ok = await runDemoCampaign(t, db, { devices: 200, cells: 10, say });
} catch (e) {
  say(`demo: FAILED: ${(e as Error).message}`);
} finally {
  await pipeline.stop();
  await db.destroy();
  say('demo: services stopped; the stack stays up (npm run stack down stops it)');
}
process.exit(ok ? 0 : 1);
