import type { TopicSpec } from '../../services/runtime/topics.ts';

/** The README's topic contract table, generated from topics/*.json. */
export function topicTable(specs: Iterable<TopicSpec>): string {
  const rows = [...specs]
    .filter((s) => !s.id.endsWith('.dlq'))
    .sort((a, b) => Number(b.external) - Number(a.external) || a.name.localeCompare(b.name))
    .map((s) => {
      const value = s.value.format === 'avro' ? `Avro \`${s.value.schema}\`` : s.value.format === 'json' ? 'JSON (internal)' : 'bytes';
      const policy = s.config['cleanup.policy'] ?? 'delete';
      return `| \`${s.name}\` | ${s.external ? 'external' : 'internal'} | ${s.key} | ${value} | ${s.producers.join(', ')} | ${s.consumers.join(', ')} | ${policy} |`;
    });
  return ['| topic | kind | key | value | producers | consumers | cleanup |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
