import { readSchemaFile } from '../../services/runtime/codec.ts';

/**
 * What issue 14 (R-SAFE-1..6) appended to the campaign command and event schemas, and those
 * schemas as they were registered before it: the evolution tests register and decode both.
 */
export const rolloutAppended = {
  'schemas/campaign-command.avsc': { symbols: ['PAUSE', 'RESUME', 'NEXT_WAVE'], requestFields: ['abortCriteria', 'rate', 'waves', 'manualNextWave', 'dynamic'], fields: [] as string[] },
  'schemas/campaign-event.avsc': { symbols: ['DEVICES_RELEASED', 'WAVE_STARTED', 'WAVE_COMPLETED', 'RATE_CHANGED', 'ESTIMATE'], requestFields: [] as string[], fields: ['wave', 'released', 'ratePerMinute', 'estimatedEndAt'] },
} as const;

type Field = { name: string; type: unknown };
type RecordSchema = { fields: Field[] };

/** The schema of `path` without what issue 14 appended: the one registered before it. */
export function beforeRollout(path: keyof typeof rolloutAppended): RecordSchema {
  const appended = rolloutAppended[path];
  const schema = structuredClone(readSchemaFile(path)) as RecordSchema;
  const type = schema.fields.find((f) => f.name === 'type')!.type as { symbols: string[] };
  type.symbols = type.symbols.filter((s) => !(appended.symbols as readonly string[]).includes(s));
  schema.fields = schema.fields.filter((f) => !(appended.fields as readonly string[]).includes(f.name));
  const request = schema.fields.find((f) => f.name === 'request');
  if (request) {
    const record = (request.type as unknown[])[1] as RecordSchema;
    record.fields = record.fields.filter((f) => !(appended.requestFields as readonly string[]).includes(f.name));
  }
  return schema;
}
