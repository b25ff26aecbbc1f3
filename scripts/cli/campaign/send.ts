import type { CampaignCommand, CommandType } from '../../../contracts/campaign-commands.ts';
import type { CampaignEvent } from '../../../contracts/campaign-events.ts';
import type { RuntimeConfig } from '../../../services/runtime/config.ts';
import { Operator, type Answer } from './operator.ts';
import { countsText, EXIT, exitCodeOf, type Out } from './output.ts';
import { followStatus } from './read.ts';
import { campaignFileOf, checkCommands, commandOf, readDocument, scheduleCommandsOf } from './request-file.ts';

export interface SendContext {
  readonly config: RuntimeConfig;
  readonly out: Out;
  /** How long to wait for an answer, and for any progress of the acceptance. */
  readonly timeoutMs: number;
  /** Who the commands are sent as (R-SEC-2). */
  readonly principal: string;
}

/**
 * `schedule`: checks the file with the services' own validators, sends its parts, prints the
 * answers, then the acceptance (R-REQ-4) as a progress bar until the campaign leaves
 * RequestPending; with `watch`, the campaign to its end (from SQL). Resolves with the exit code.
 */
export async function schedule(ctx: SendContext, path: string, options: { id?: string; dryRun?: boolean; watch?: boolean }): Promise<number> {
  const file = campaignFileOf(readDocument(path), path);
  const campaign = options.id ? { ...file, campaignId: options.id } : file;
  const commands = scheduleCommandsOf(campaign, Date.now(), ctx.principal);
  const summary = { campaignId: campaign.campaignId, devices: campaign.deviceIds.length, parts: commands.length };
  if (options.dryRun) {
    ctx.out.result({ ...summary, valid: true }, `${path}: valid; campaign ${summary.campaignId}, ${summary.devices} devices in ${summary.parts} part(s); nothing sent (--dry-run)`);
    return EXIT.ok;
  }
  const operator = await Operator.connect(ctx.config, [campaign.campaignId], ctx.timeoutMs);
  try {
    await operator.send(commands);
    const answers = await operator.answers(commands, ctx.timeoutMs);
    const refused = answers.filter((a) => !a.accepted);
    if (refused.length > 0) {
      ctx.out.result({ ...summary, accepted: false, answers }, answersText(answers));
      return EXIT.refused;
    }
    if (!ctx.out.json) process.stderr.write(`${answersText(answers)}\n`);
    const settled = await acceptance(ctx, operator, campaign.campaignId, campaign.deviceIds.length);
    const decided = { accepted: count(settled.decisions, 'Accepted'), rejected: count(settled.decisions, 'DeviceRejected') };
    const state = { status: settled.state.to, reason: settled.state.reason, ...decided };
    if (state.status === 'RequestFailed' || !options.watch) {
      ctx.out.result({ ...summary, answers, ...state }, `campaign ${campaign.campaignId}: ${state.status} (${state.reason}); ${decided.accepted} accepted, ${decided.rejected} rejected`);
      return exitCodeOf({ status: state.status, succeeded: 0, accepted: decided.accepted }, false);
    }
  } finally {
    await operator.close();
  }
  return followStatus(ctx.config, ctx.out, campaign.campaignId, { watch: true });
}

const count = (decisions: readonly CampaignEvent[], status: string) => decisions.filter((d) => d.deviceStatus === status).length;

/** Waits for the campaign to leave RequestPending, showing each device's decision as it comes. */
async function acceptance(ctx: SendContext, operator: Operator, campaignId: string, devices: number): Promise<{ state: CampaignEvent; decisions: CampaignEvent[] }> {
  const bar = ctx.out.bar('acceptance');
  let seen = 0;
  let lastProgress = Date.now();
  try {
    for (;;) {
      const events = operator.events(campaignId);
      const decisions = events.filter((e) => e.type === 'DEVICE_DECISION');
      bar.update(decisions.length, devices, countsText(['Accepted', 'DeviceRejected'].map((status) => ({ status, devices: count(decisions, status) }))));
      const state = events.find((e) => e.type === 'STATE_CHANGED' && e.to !== 'RequestPending');
      if (state) return { state, decisions };
      if (events.length > seen) [seen, lastProgress] = [events.length, Date.now()];
      if (Date.now() - lastProgress > ctx.timeoutMs) throw new Error(`campaign ${campaignId}: no acceptance progress for ${ctx.timeoutMs / 1000} s (${decisions.length} of ${devices} devices decided); are the members and device services running?`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    bar.stop();
  }
}

/** `cancel`, `abort`, `remove-devices`, `verbose …`: one command, its answer printed; 0 accepted, 2 refused. */
export async function sendOne(ctx: SendContext, type: Exclude<CommandType, 'SCHEDULE'>, campaignId: string, deviceIds: readonly string[] = []): Promise<number> {
  const command: CampaignCommand = commandOf(type, campaignId, deviceIds, Date.now(), ctx.principal);
  checkCommands([command], command.at);
  const operator = await Operator.connect(ctx.config, [campaignId], ctx.timeoutMs);
  try {
    await operator.send([command]);
    const [answer] = await operator.answers([command], ctx.timeoutMs);
    ctx.out.result({ campaignId, type, ...answer }, answersText([answer!]));
    return answer!.accepted ? EXIT.ok : EXIT.refused;
  } finally {
    await operator.close();
  }
}

function answersText(answers: readonly Answer[]): string {
  return answers.map((a) => `${a.accepted ? 'accepted' : 'REFUSED'}: ${a.reason}`).join('\n');
}
