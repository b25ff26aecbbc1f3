import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../topics.ts';

/** Where a Kafka client library may be imported: its driver, and the unit tests of what is specific to it, beside it. */
const DRIVERS = 'services/runtime/kafka/';

describe('the Kafka port', () => {
  it('is the only way to Kafka: outside the drivers no source file imports kafkajs', () => {
    const importers: string[] = [];
    for (const dir of ['contracts', 'services', 'scripts', 'test']) {
      for (const file of readdirSync(join(projectRoot, dir), { recursive: true, encoding: 'utf8' })) {
        const path = `${dir}/${file}`;
        if (!path.endsWith('.ts') || path.startsWith(DRIVERS)) continue;
        if (/from ['"]kafkajs['"]/.test(readFileSync(join(projectRoot, path), 'utf8'))) importers.push(path);
      }
    }
    expect(importers).toEqual([]);
  });
});
