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

  it('R-SEC-1: package deliveries written before the package signature decode with the current schema, signature null', () => {
    const current = readSchemaFile('schemas/device-command.avsc');
    const before = structuredClone(current) as { fields: { name: string; type: unknown }[] };
    const delivery = (before.fields.find((f) => f.name === 'package')!.type as [string, { fields: { name: string }[] }])[1];
    delivery.fields = delivery.fields.filter((f) => f.name !== 'signature');
    const pkg = { url: 'https://fw.example/p.bin', sizeBytes: 10, checksum: `sha256:${'a'.repeat(64)}`, token: 'v1.k.1.mac', tokenExpiresAt: 1 };
    const record = { commandId: 'd1/k1/1/DELIVER_PACKAGE', deviceId: 'd1', campaignId: 'k1', attempt: 1, kind: 'DELIVER_PACKAGE', targetVersion: '2.0', package: pkg, at: 1_767_261_613_050 };
    const writer = avro.Type.forSchema(before as unknown as avro.Schema);
    const reader = avro.Type.forSchema(current);
    expect(reader.fromBuffer(writer.toBuffer(record), reader.createResolver(writer))).toEqual({ ...record, package: { ...pkg, signature: null } });
  });

  it('R-SAFE-6: device results written before tokenHeldMs decode with the current schema, tokenHeldMs null', () => {
    const current = readSchemaFile('schemas/device-result.avsc');
    const before = structuredClone(current) as { fields: { name: string }[] };
    before.fields = before.fields.filter((f) => f.name !== 'tokenHeldMs');
    const record = { campaignId: 'k1', deviceId: 'd1', attempt: 1, status: 'UpgradeSuccess', detail: 'The firmware upgrade was successful', cause: null, cellId: 'c1', fromVersion: '1.0', toVersion: '2.0', at: 1_767_261_613_050 };
    const writer = avro.Type.forSchema(before as unknown as avro.Schema);
    const reader = avro.Type.forSchema(current);
    expect(reader.fromBuffer(writer.toBuffer(record), reader.createResolver(writer))).toEqual({ ...record, tokenHeldMs: null });
    expect(reader.fromBuffer(reader.toBuffer({ ...record, tokenHeldMs: 61_000 }))).toEqual({ ...record, tokenHeldMs: 61_000 });
  });
});
