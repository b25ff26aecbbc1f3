import { sql } from 'kysely';
import { parseCampaignCommand, type CampaignCommand } from '../../../contracts/campaign-commands.ts';
import { parseCampaignEvent, type CampaignEvent } from '../../../contracts/campaign-events.ts';
import { toTimestamp, type Projection } from '../projection.ts';

type AuditEvent = { readonly kind: 'command'; readonly command: CampaignCommand } | { readonly kind: 'answer'; readonly answer: CampaignEvent };
/** A campaign_audit row as one batch changes it: null where the batch did not say. */
interface AuditChange {
  readonly campaign_id: string;
  readonly command_id: string;
  readonly command_type: string | null;
  readonly principal: string | null;
  readonly device_ids: number | null;
  readonly issued_at: Date | null;
  readonly outcome: string | null;
  readonly reason: string | null;
  readonly answered_at: Date | null;
}

const answerTypes: ReadonlySet<string> = new Set(['COMMAND_ACCEPTED', 'COMMAND_REFUSED']);
const columns = ['command_type', 'principal', 'device_ids', 'issued_at', 'outcome', 'reason', 'answered_at'] as const;

/**
 * campaign_audit (R-SEC-2): every campaign command — who (its principal), what (type, devices
 * named), when — with its outcome from the answer on campaign.events. The command and its
 * answer come on two topics in either order; each fills its own columns and neither erases
 * the other's.
 */
export const campaignAuditProjection: Projection<AuditEvent, AuditChange> = {
  name: 'campaign_audit',
  topics: ['campaign-commands', 'campaign-events'],
  parse: (topic, value, key, context) =>
    topic === 'campaign-commands' ? { kind: 'command', command: parseCampaignCommand(value, key, context) } : { kind: 'answer', answer: parseCampaignEvent(value, key) },
  filter: (e) => e.kind === 'command' || (answerTypes.has(e.answer.type) && e.answer.commandId !== null),
  keyOf: (e) => (e.kind === 'command' ? `${e.command.campaignId}\u0000${e.command.commandId}` : `${e.answer.campaignId}\u0000${e.answer.commandId}`),
  fold(change, e) {
    const row = change ?? (e.kind === 'command' ? empty(e.command.campaignId, e.command.commandId) : empty(e.answer.campaignId, e.answer.commandId!));
    if (e.kind === 'command') {
      const c = e.command;
      return { ...row, command_type: c.type, principal: c.principal ?? row.principal, device_ids: c.deviceIds.length, issued_at: toTimestamp(c.at) };
    }
    const a = e.answer;
    return { ...row, principal: row.principal ?? a.principal ?? null, outcome: a.type === 'COMMAND_ACCEPTED' ? 'ACCEPTED' : 'REFUSED', reason: a.reason, answered_at: toTimestamp(a.at) };
  },
  async write(trx, changes) {
    await trx
      .insertInto('campaign_audit')
      .values(changes.map((c) => ({ ...c })))
      .onConflict((oc) => oc.columns(['campaign_id', 'command_id']).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql`coalesce(excluded.${sql.ref(c)}, campaign_audit.${sql.ref(c)})`]))))
      .execute();
  },
  async clear(db) {
    await db.deleteFrom('campaign_audit').execute();
  },
};

function empty(campaignId: string, commandId: string): AuditChange {
  return { campaign_id: campaignId, command_id: commandId, command_type: null, principal: null, device_ids: null, issued_at: null, outcome: null, reason: null, answered_at: null };
}
