import { afterAll, beforeAll } from 'vitest';
import type { CampaignRun } from '../../scripts/lib/campaign-run.ts';
import { Pipeline } from '../../scripts/lib/pipeline.ts';
import { createTopology, type Topology } from '../../scripts/lib/topology.ts';

export interface PipelineSuite {
  t: Topology;
  pipeline: Pipeline;
  /** Campaign runs to stop after the file's tests. */
  readonly runs: CampaignRun[];
}

/**
 * A test file's own topology with every service running as a process, torn down after it;
 * `env` reaches the processes (e.g. an accelerated OTAFLOW_CLOCK).
 */
export function pipelineSuite(label: string, env: Record<string, string> = {}): PipelineSuite {
  const suite = { runs: [] as CampaignRun[] } as PipelineSuite;
  beforeAll(async () => {
    suite.t = await createTopology(label, { env });
    suite.pipeline = new Pipeline(suite.t, suite.t.prefix);
    suite.pipeline.start();
  });
  afterAll(async () => {
    for (const run of suite.runs) await run.stop();
    await suite.pipeline?.stop();
    await suite.t?.dispose();
  });
  return suite;
}
