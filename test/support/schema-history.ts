import { readSchemaFile } from '../../services/runtime/codec.ts';

type Appended = { readonly symbols: readonly string[]; readonly requestFields: readonly string[]; readonly fields: readonly string[] };
export type EvolvedSchema = 'schemas/campaign-command.avsc' | 'schemas/campaign-event.avsc';

/**
 * What each issue appended to the campaign command and event schemas, oldest first: the
 * evolution tests register and decode the schemas as they were registered before each step.
 */
export const schemaSteps: readonly { readonly name: string; readonly appended: Readonly<Record<EvolvedSchema, Appended>> }[] = [
  {
    name: 'rollouts (issue 14, R-SAFE-1..6)',
    appended: {
      'schemas/campaign-command.avsc': { symbols: ['PAUSE', 'RESUME', 'NEXT_WAVE'], requestFields: ['abortCriteria', 'rate', 'waves', 'manualNextWave', 'dynamic'], fields: [] },
      'schemas/campaign-event.avsc': { symbols: ['DEVICES_RELEASED', 'WAVE_STARTED', 'WAVE_COMPLETED', 'RATE_CHANGED', 'ESTIMATE'], requestFields: [], fields: ['wave', 'released', 'ratePerMinute', 'estimatedEndAt'] },
    },
  },
  {
    name: 'operator identity (issue 15, R-SEC-2)',
    appended: {
      'schemas/campaign-command.avsc': { symbols: ['APPROVE'], requestFields: [], fields: ['principal'] },
      'schemas/campaign-event.avsc': { symbols: [], requestFields: [], fields: ['principal'] },
    },
  },
];

export const evolvedSchemas = Object.keys(schemaSteps[0]!.appended) as EvolvedSchema[];

type Field = { name: string; type: unknown };
type RecordSchema = { fields: Field[] };

/** The schema of `path` as registered before step `step` of schemaSteps: without what it and every later step appended. */
export function schemaBefore(path: EvolvedSchema, step: number): RecordSchema {
  const schema = structuredClone(readSchemaFile(path)) as RecordSchema;
  for (const { appended } of schemaSteps.slice(step)) {
    const { symbols, fields, requestFields } = appended[path];
    const type = schema.fields.find((f) => f.name === 'type')!.type as { symbols: string[] };
    type.symbols = type.symbols.filter((s) => !symbols.includes(s));
    schema.fields = schema.fields.filter((f) => !fields.includes(f.name));
    const request = schema.fields.find((f) => f.name === 'request');
    if (request) {
      const record = (request.type as unknown[])[1] as RecordSchema;
      record.fields = record.fields.filter((f) => !requestFields.includes(f.name));
    }
  }
  return schema;
}
