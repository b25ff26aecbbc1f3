import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { allServices } from '../test/support/topology-driver.ts';
import { projections } from '../services/projector/projections.ts';
import { loadTopicSpecs, projectRoot } from '../services/runtime/topics.ts';
import { campaignEvent } from './campaign-events.ts';
import { campaignCommand, logCommand } from './device-commands.ts';
import { isTopicId, parsers } from './index.ts';

const specs = loadTopicSpecs();
const runtimeOwned = (id: string) => id.endsWith('.dlq') || id.endsWith('-changelog');

/** Who reads and writes each topic, as the code declares it. */
function declared(): { producers: Map<string, Set<string>>; consumers: Map<string, Set<string>> } {
  const producers = new Map<string, Set<string>>();
  const consumers = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, topic: string, who: string) => m.set(topic, (m.get(topic) ?? new Set()).add(who));
  for (const s of allServices()) {
    for (const topic of Object.keys(s.inputs)) add(consumers, topic, s.name);
    for (const topic of s.outputs) add(producers, topic, s.name);
    add(producers, s.changelog, s.name);
    add(consumers, s.changelog, `${s.name} (restore)`);
    for (const t of s.tables ?? []) add(consumers, t.topic, `${s.name} (table)`);
  }
  for (const p of projections) for (const topic of p.topics) add(consumers, topic, 'projector');
  return { producers, consumers };
}

const services = new Set([...allServices().map((s) => s.name), 'projector']);
const ours = (names: readonly string[]) => names.filter((n) => services.has(n.replace(/ \((restore|table)\)$/, ''))).sort();
/** Topics a service reads in its consumer group (not only as a changelog or a global table). */
const inputTopics = (consumers: Map<string, Set<string>>) => [...consumers].filter(([, who]) => [...who].some((w) => !w.includes(' ('))).map(([topic]) => topic);

describe('topic contracts', () => {
  it('has one contract (payload type and parser) for every topic in topics/ but changelogs and dead letters', () => {
    const topics = [...specs.keys()].filter((id) => !runtimeOwned(id)).sort();
    expect(Object.keys(parsers).sort()).toEqual(topics);
  });

  it('every input a service or projection reads has a contract', () => {
    const { consumers } = declared();
    for (const topic of consumers.keys()) if (!topic.endsWith('-changelog')) expect(isTopicId(topic), topic).toBe(true);
  });

  it("the producers and consumers topics/*.json name are exactly the services' declared outputs and inputs", () => {
    const { producers, consumers } = declared();
    for (const [id, spec] of specs) {
      if (id.endsWith('.dlq')) continue;
      expect(ours(spec.producers), `topics/${id}.json producers`).toEqual([...(producers.get(id) ?? [])].sort());
      expect(ours(spec.consumers), `topics/${id}.json consumers`).toEqual([...(consumers.get(id) ?? [])].sort());
    }
  });

  it('every input topic a service reads declares a dead-letter topic; external topics are Avro with a schema file', () => {
    const { consumers } = declared();
    for (const topic of inputTopics(consumers)) expect(specs.get(topic)?.deadLetter, topic).toBe(`${topic}.dlq`);
    for (const spec of specs.values()) if (spec.external && spec.value.format === 'avro') expect(() => readFileSync(join(projectRoot, spec.value.format === 'avro' ? spec.value.schema : ''))).not.toThrow();
  });
});

describe('builders of public records', () => {
  const schemaOf = (id: string) => {
    const spec = specs.get(id)!;
    if (spec.value.format !== 'avro') throw new Error(`${id} is not Avro`);
    return avro.Type.forSchema(JSON.parse(readFileSync(join(projectRoot, spec.value.schema), 'utf8')));
  };
  const strict = (type: avro.Type, value: unknown) => {
    const problems: string[] = [];
    type.isValid(value, { errorHook: (path) => problems.push(path.join('.')) });
    return problems;
  };

  it('a campaign event fills every field of schemas/campaign-event.avsc, with or without a request (R-LC-3)', () => {
    const type = schemaOf('campaign-events');
    expect(strict(type, campaignEvent('k1', null, Date.UTC(2026, 0, 1), { type: 'COMMAND_REFUSED', reason: 'ENABLE_VERBOSE_LOGGING: no' }))).toEqual([]);
    const fields = (type as avro.types.RecordType).fields.map((f) => f.name).sort();
    expect(Object.keys(campaignEvent('k1', null, 1, { type: 'STATE_CHANGED' })).sort()).toEqual(fields);
  });

  it('device commands of a campaign and of log collection fill every field of schemas/device-command.avsc (R-FLOW-1, R-LOG-1)', () => {
    const type = schemaOf('device-commands');
    const at = Date.UTC(2026, 0, 1);
    expect(strict(type, campaignCommand({ deviceId: 'd1', campaignId: 'k1', attempt: 1, kind: 'QUERY_VERSION', targetVersion: '2.0', at }))).toEqual([]);
    const pkg = { url: 'https://fw.example/p.bin', sizeBytes: 10, checksum: `sha256:${'a'.repeat(64)}`, signature: null, token: 'v1.k.1.mac', tokenExpiresAt: at };
    expect(strict(type, campaignCommand({ deviceId: 'd1', campaignId: 'k1', attempt: 1, kind: 'DELIVER_PACKAGE', targetVersion: '2.0', package: pkg, at }))).toEqual([]);
    expect(strict(type, logCommand('d1', 'START_LOG_COLLECTION', at))).toEqual([]);
  });
});
