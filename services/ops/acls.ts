import type { TopicNames } from '../runtime/topics.ts';
import { TABLE_GROUP_PREFIX } from '../runtime/global-table.ts';
import { RESTORE_GROUP_PREFIX } from '../runtime/changelog.ts';
import { serviceNames, type ServiceName } from './services.ts';

/**
 * The Kafka ACLs each otaflow service needs when every service authenticates as a principal of
 * its own (README "Security", docs/threat-model.md), derived from topics/*.json — whose producers
 * and consumers contracts/topics.unit.test.ts keeps equal to the service definitions — and from
 * the runtime's naming of groups and transactional ids. Nothing more: a service whose principal
 * is stolen can write only the topics that service writes.
 */
export interface Acl {
  readonly service: ServiceName;
  readonly resource: 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
  readonly pattern: 'LITERAL' | 'PREFIXED';
  readonly name: string;
  /** READ and WRITE imply DESCRIBE. */
  readonly operation: 'READ' | 'WRITE';
}

/** Principal naming, a convention of this list: `User:otaflow-<service>`. */
export const principalOf = (service: ServiceName) => `User:otaflow-${service}`;

export function requiredAcls(names: TopicNames, projectionNames: readonly string[]): Acl[] {
  const acls: Acl[] = [];
  const topic = (service: ServiceName, id: string, operation: Acl['operation']) => acls.push({ service, resource: 'TOPIC', pattern: 'LITERAL', name: names.name(id), operation });
  for (const service of serviceNames) {
    const tables = [...names.specs.values()].filter((spec) => spec.consumers.includes(`${service} (table)`));
    for (const spec of names.specs.values()) {
      // A changelog's consumer is "<service> (restore)": the service reads back what it wrote; a global table's "<service> (table)".
      if (spec.consumers.includes(service) || spec.consumers.includes(`${service} (restore)`) || tables.includes(spec)) topic(service, spec.id, 'READ');
      if (spec.producers.includes(service)) topic(service, spec.id, 'WRITE');
      // A record a service cannot handle goes to the input's dead-letter topic (services/runtime/dead-letter.ts).
      if (spec.consumers.includes(service) && spec.deadLetter) topic(service, spec.deadLetter, 'WRITE');
    }
    if (service === 'projector') {
      // One group per projection (services/projector/sink.ts projectionGroup); offsets are stored in SQL.
      for (const p of projectionNames) acls.push({ service, resource: 'GROUP', pattern: 'LITERAL', name: `${names.prefix}otaflow.projector.${p}`, operation: 'READ' });
      continue;
    }
    acls.push(
      { service, resource: 'GROUP', pattern: 'LITERAL', name: `${names.prefix}otaflow.${service}`, operation: 'READ' },
      // Restoring a task reads its changelog under a throwaway group (services/runtime/changelog.ts).
      { service, resource: 'GROUP', pattern: 'PREFIXED', name: RESTORE_GROUP_PREFIX, operation: 'READ' },
      // Each instance reads its global tables under a throwaway group of its own (services/runtime/global-table.ts).
      ...(tables.length > 0 ? [{ service, resource: 'GROUP', pattern: 'PREFIXED', name: TABLE_GROUP_PREFIX, operation: 'READ' } as const] : []),
      // One transactional producer per task: <group>.task-<partition> (services/runtime/service.ts).
      { service, resource: 'TRANSACTIONAL_ID', pattern: 'PREFIXED', name: `${names.prefix}otaflow.${service}.task-`, operation: 'WRITE' },
    );
  }
  return acls;
}

/** The list as a Markdown table, one row per principal and resource, as docs/threat-model.md shows it. */
export function aclTable(acls: readonly Acl[]): string {
  const rows = new Map<string, string[]>();
  for (const a of acls) {
    const key = [principalOf(a.service), a.resource, a.pattern, a.name].join('|');
    rows.set(key, [...(rows.get(key) ?? []), a.operation]);
  }
  const lines = [...rows].map(([key, ops]) => {
    const [principal, resource, pattern, name] = key.split('|');
    return `| \`${principal}\` | ${resource} | ${pattern} | \`${name}\` | ${ops.join(', ')} |`;
  });
  return ['| principal | resource | pattern | name | operations |', '|---|---|---|---|---|', ...lines].join('\n');
}

/** The same list as `kafka-acls.sh` commands an operator runs once per topology. */
export function aclCommands(acls: readonly Acl[], bootstrap: string): string[] {
  const flag = { TOPIC: '--topic', GROUP: '--group', TRANSACTIONAL_ID: '--transactional-id' } as const;
  return acls.map((a) => `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config admin.properties --add --allow-principal ${principalOf(a.service)} --operation ${a.operation === 'READ' ? 'Read' : 'Write'} ${flag[a.resource]} '${a.name}'${a.pattern === 'PREFIXED' ? ' --resource-pattern-type prefixed' : ''}`);
}
