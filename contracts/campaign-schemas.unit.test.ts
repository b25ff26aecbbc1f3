import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readSchemaFile } from '../services/runtime/codec.ts';
import { parseCampaignCommand, rolloutOf, type CampaignCommand } from './campaign-commands.ts';
import { campaignEvent, type CampaignEventType } from './campaign-events.ts';
import { v1Request } from '../test/support/campaign-fixtures.ts';
import { schemaBefore, schemaSteps } from '../test/support/schema-history.ts';

const request = { ...v1Request, retry: null };
const command = { commandId: 'c1', campaignId: 'k1', type: 'SCHEDULE', request, deviceIds: ['d1'], part: 0, parts: 1, deviceCount: null, at: 1_767_261_613_050, principal: null };
const context = { now: 1_767_261_613_050, maxSkewMs: 300_000 };

describe('campaign schemas evolve BACKWARD (issues 14, 15)', () => {
  it('R-SAFE-1, R-SAFE-2, R-SAFE-3, R-SAFE-4: a command written before rollouts decodes with the current schema, without any safety (the defaults), and a new one keeps them', () => {
    const path = 'schemas/campaign-command.avsc';
    const old = avro.Type.forSchema(schemaBefore(path, 0) as avro.Schema);
    const current = avro.Type.forSchema(readSchemaFile(path) as avro.Schema);
    const decoded = current.fromBuffer(old.toBuffer(command), current.createResolver(old)) as CampaignCommand;
    expect(rolloutOf(decoded.request!)).toEqual({ abortCriteria: [], rate: null, waves: [], manualNextWave: false, dynamic: false });
    expect(parseCampaignCommand(decoded, 'k1', context).request!.make).toBe('Acme');

    const safe = {
      ...command,
      request: {
        ...request,
        abortCriteria: [{ failureKind: 'TIMED_OUT', thresholdPercent: 20, minFinished: 100 }],
        rate: { maxPerMinute: 600, ramp: { basePerMinute: 60, factor: 2, every: 100, counting: 'SUCCEEDED' } },
        waves: [{ percent: 10, deviceIds: [], successThresholdPercent: 95 }],
        manualNextWave: true,
        dynamic: false,
      },
    };
    expect(current.fromBuffer(current.toBuffer(safe))).toEqual(safe);
    const pause = { ...command, type: 'PAUSE', request: null, deviceIds: [] };
    expect(current.fromBuffer(current.toBuffer(pause))).toEqual(pause);
    // The current producer may leave the rollout fields out: Avro writes their defaults.
    expect(rolloutOf((current.fromBuffer(current.toBuffer(command)) as CampaignCommand).request!).waves).toEqual([]);
  });

  it('R-SAFE-2, R-SAFE-3, R-SAFE-6: an event written before rollouts decodes with the current schema, its new fields null, and the new event types round-trip', () => {
    const path = 'schemas/campaign-event.avsc';
    const old = avro.Type.forSchema(schemaBefore(path, 0) as avro.Schema);
    const current = avro.Type.forSchema(readSchemaFile(path) as avro.Schema);
    const { wave: _w, released: _r, ratePerMinute: _p, estimatedEndAt: _e, ...written } = campaignEvent('k1', null, 5, { type: 'STATE_CHANGED', from: null, to: 'RequestPending', reason: 'campaign requested' });
    expect(current.fromBuffer(old.toBuffer(written), current.createResolver(old))).toEqual({ ...written, wave: null, released: null, ratePerMinute: null, estimatedEndAt: null });
    for (const type of schemaSteps[0]!.appended[path].symbols as CampaignEventType[]) {
      const e = campaignEvent('k1', null, 5, { type, reason: 'why', wave: 2, released: 10, ratePerMinute: 60, estimatedEndAt: 9 });
      expect(current.fromBuffer(current.toBuffer(e))).toEqual(e);
    }
  });

  it('R-SEC-2: a command written before principals decodes with principal null and parses; APPROVE and a principal round-trip, and an answer names its principal', () => {
    const path = 'schemas/campaign-command.avsc';
    const old = avro.Type.forSchema(schemaBefore(path, 1) as avro.Schema);
    const current = avro.Type.forSchema(readSchemaFile(path) as avro.Schema);
    const decoded = current.fromBuffer(old.toBuffer(command), current.createResolver(old)) as CampaignCommand;
    expect(decoded.principal).toBeNull();
    expect(parseCampaignCommand(decoded, 'k1', context).principal).toBeNull();
    const approve = { ...command, type: 'APPROVE', request: null, deviceIds: [], principal: 'bob' };
    expect(current.fromBuffer(current.toBuffer(approve))).toEqual(approve);

    const events = 'schemas/campaign-event.avsc';
    const eventType = avro.Type.forSchema(readSchemaFile(events) as avro.Schema);
    const oldEvents = avro.Type.forSchema(schemaBefore(events, 1) as avro.Schema);
    const answer = campaignEvent('k1', null, 5, { type: 'COMMAND_REFUSED', commandId: 'c2', reason: 'APPROVE: four eyes', principal: 'bob' });
    expect(eventType.fromBuffer(eventType.toBuffer(answer))).toEqual(answer);
    const { principal: _p, ...written } = answer;
    expect(eventType.fromBuffer(oldEvents.toBuffer(written), eventType.createResolver(oldEvents))).toEqual({ ...written, principal: null });
  });
});
