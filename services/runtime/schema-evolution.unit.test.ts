import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readSchemaFile } from './codec.ts';

/** The schema as it was before `symbol` was appended to the enum of field `field`. */
function without(path: string, field: string, symbol: string): avro.Schema {
  const schema = structuredClone(readSchemaFile(path)) as { fields: { name: string; type: { symbols: string[] } }[] };
  const type = schema.fields.find((f) => f.name === field)!.type;
  type.symbols = type.symbols.filter((s) => s !== symbol);
  return schema as unknown as avro.Schema;
}

describe('schemas evolve BACKWARD', () => {
  it('R-CELL-1: device commands and status reports written before QUERY_CELL_ID and CELL_ID still decode with the current schemas', () => {
    const cases = [
      { path: 'schemas/device-command.avsc', field: 'kind', symbol: 'QUERY_CELL_ID', record: { commandId: 'c1', deviceId: 'd1', campaignId: 'k1', attempt: 1, kind: 'QUERY_RADIO', targetVersion: '2.0', package: null, at: 1_767_261_613_050 } },
      { path: 'schemas/device-status-report.avsc', field: 'kind', symbol: 'CELL_ID', record: { deviceId: 'd1', campaignId: 'k1', kind: 'RADIO', firmwareVersion: null, softwareVersion: null, radio: { cellId: 'c1', rsrp: -98.5, sinr: 2.5 }, bytesDownloaded: null, resultCode: null, clientStatus: null, at: 1_767_261_614_000 } },
    ];
    for (const c of cases) {
      const writer = avro.Type.forSchema(without(c.path, c.field, c.symbol));
      const reader = avro.Type.forSchema(readSchemaFile(c.path));
      expect(reader.fromBuffer(writer.toBuffer(c.record), reader.createResolver(writer))).toEqual(c.record);
    }
  });
});
