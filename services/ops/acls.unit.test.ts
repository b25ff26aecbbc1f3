import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allServices } from '../../test/support/topology-driver.ts';
import { projections } from '../projector/projections.ts';
import { projectionGroup } from '../projector/sink.ts';
import { loadTopicSpecs, projectRoot, TopicNames } from '../runtime/topics.ts';
import { aclTable, requiredAcls, type Acl } from './acls.ts';

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');
const names = new TopicNames(loadTopicSpecs(), 'p.');
const acls = requiredAcls(names, projections.map((p) => p.name));
const topicsOf = (service: string, operation: Acl['operation']) => acls.filter((a) => a.service === service && a.resource === 'TOPIC' && a.operation === operation).map((a) => a.name).sort();

describe('Kafka ACLs, one principal per service', () => {
  it("R-SEC-3: each service may read exactly its inputs, changelog and global tables, and write exactly its outputs, changelog and inputs' dead letters", () => {
    for (const s of allServices()) {
      const inputs = Object.keys(s.inputs);
      const tables = (s.tables ?? []).map((t) => t.topic);
      expect(topicsOf(s.name, 'READ'), `${s.name} reads`).toEqual([...inputs, s.changelog, ...tables].map((id) => names.name(id)).sort());
      const writes = [...s.outputs, s.changelog, ...inputs.map((id) => names.spec(id).deadLetter!)];
      expect(topicsOf(s.name, 'WRITE'), `${s.name} writes`).toEqual(writes.map((id) => names.name(id)).sort());
      expect(acls.filter((a) => a.service === s.name && a.resource !== 'TOPIC').map((a) => `${a.resource} ${a.pattern} ${a.name}`)).toEqual([
        `GROUP LITERAL p.otaflow.${s.name}`,
        'GROUP PREFIXED otaflow-restore-',
        ...(tables.length > 0 ? ['GROUP PREFIXED otaflow-table-'] : []),
        `TRANSACTIONAL_ID PREFIXED p.otaflow.${s.name}.task-`,
      ]);
    }
  });

  it("R-SEC-3: the projector reads its projections' topics under their groups, writes their dead letters, and nothing else", () => {
    const topics = [...new Set(projections.flatMap((p) => p.topics))];
    expect(topicsOf('projector', 'READ')).toEqual(topics.map((id) => names.name(id)).sort());
    expect(topicsOf('projector', 'WRITE')).toEqual(topics.map((id) => names.name(names.spec(id).deadLetter!)).sort());
    expect(acls.filter((a) => a.service === 'projector' && a.resource !== 'TOPIC').map((a) => a.name)).toEqual(projections.map((p) => projectionGroup(names, p)));
  });

  it('R-SEC-3: docs/threat-model.md lists them as the code derives them, and the README links it', () => {
    expect(read('docs/threat-model.md')).toContain(`${aclTable(requiredAcls(new TopicNames(loadTopicSpecs(), ''), projections.map((p) => p.name)))}\n`);
    expect(read('README.md')).toContain('(docs/threat-model.md)');
  });
});
