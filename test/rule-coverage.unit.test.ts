import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../services/runtime/topics.ts';

/**
 * The rules whose behaviour crosses services, so each is shown on the whole topology: every id of
 * these families in the domain rules (shared/DOMAIN.md, outside this repository, as of 2026-11-30).
 */
const RULES: Readonly<Record<string, number>> = { DEV: 3, REQ: 5, LC: 4, FLOW: 5, CELL: 3, PILOT: 3, LOG: 1, RES: 4, SAFE: 6, SEC: 3 };
/** Rules about the wire, not the topology: shown on the real stack (R-SEC-3: test/sasl-ssl.fault.test.ts). */
const OFF_THE_DRIVER: ReadonlySet<string> = new Set(['R-SEC-3']);
const domainIds = (): string[] =>
  Object.entries(RULES)
    .flatMap(([family, n]) => Array.from({ length: n }, (_, i) => `R-${family}-${i + 1}`))
    .filter((id) => !OFF_THE_DRIVER.has(id));

/**
 * Rule ids cited in the titles of unit tests that run on the in-memory topology driver: files
 * importing it (or the scenarios built on it), their `it('…')` and `it.each(…)('…')` titles.
 */
function citedOnTheDriver(): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  for (const dir of ['services', 'scripts', 'test']) {
    for (const file of readdirSync(join(projectRoot, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.unit.test.ts')) continue;
      const source = readFileSync(join(projectRoot, dir, file), 'utf8');
      if (!/from '[./]*\/?(support\/)?(topology-driver|driver-campaigns)\.ts'/.test(source)) continue;
      for (const title of source.matchAll(/(?:\bit|\))\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
        for (const [id] of title[2]!.matchAll(/R-[A-Z]+-\d+/g)) cited.set(id, [...(cited.get(id) ?? []), `${dir}/${file}`]);
      }
    }
  }
  return cited;
}

describe('domain rules covered on the in-memory topology', () => {
  it('every R-DEV, R-REQ, R-LC, R-FLOW, R-CELL, R-PILOT, R-LOG, R-RES, R-SAFE and R-SEC id (but R-SEC-3, the wire) is cited by a test title on the topology driver', () => {
    const ids = domainIds();
    const cited = citedOnTheDriver();
    expect(ids.filter((id) => !cited.has(id)), 'ids no driver-based unit test title cites').toEqual([]);
  });
});
