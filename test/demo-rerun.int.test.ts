// Kept on the real stack: the demo script itself, run twice on the same topics and database.
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../services/projector/database.ts';
import { runDemoCampaign } from '../scripts/lib/demo-campaign.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

describe('the demo on a stack it already ran on', () => {
  const suite = pipelineSuite('demo-rerun');
  const db = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  afterAll(() => db.destroy());

  it('R-RES-4: a second campaign on the same topics is judged by its own results only, and both runs pass', async () => {
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    expect(await runDemoCampaign(suite.t, db, { devices: 60, cells: 4, say }), lines.join('\n')).toBe(true);
    expect(await runDemoCampaign(suite.t, db, { devices: 60, cells: 4, say }), lines.join('\n')).toBe(true);
    expect(lines.filter((l) => l.startsWith('demo: every cell stayed within its limit'))).toHaveLength(2);
  });
});
