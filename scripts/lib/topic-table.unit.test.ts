import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicSpecs, projectRoot } from '../../services/runtime/topics.ts';
import { topicTable } from './topic-table.ts';

describe('topic contract', () => {
  it('the README table is the one generated from topics/ (print it with npm run topics:table)', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    expect(readme).toContain(topicTable(loadTopicSpecs().values()));
  });

  it('every consumed topic names a declared dead-letter topic, and every topic file is valid', () => {
    const specs = loadTopicSpecs();
    for (const spec of specs.values()) {
      // A global table's readers (`<service> (table)`) skip what they cannot take (services/runtime/global-table.ts).
      if (spec.consumers.some((c) => !c.endsWith(' (table)')) && !spec.id.endsWith('.dlq') && !spec.id.endsWith('-changelog') && spec.id !== 'device-commands') {
        expect(spec.deadLetter, spec.id).toBeDefined();
      }
    }
  });
});
