import type { CampaignCommand } from '../../../contracts/campaign-commands.ts';
import type { CampaignEvent } from '../../../contracts/campaign-events.ts';
import type { RuntimeConfig } from '../../../services/runtime/config.ts';
import { createLogger } from '../../../services/runtime/logger.ts';
import { maskUrlValue } from '../../../services/runtime/redact.ts';
import { produce } from '../../lib/kafka.ts';
import { TopicRecorder } from '../../lib/topic-recorder.ts';
import { connectTopics, type TopicClient } from '../../lib/topology.ts';
import { waitFor } from '../../lib/wait-for.ts';

export interface Answer {
  readonly commandId: string;
  readonly accepted: boolean;
  /** The service's words: "CANCEL: a campaign can be cancelled only before it starts; it is InProgress". */
  readonly reason: string;
}

/**
 * An operator's line to a running otaflow: commands go to campaign.commands, and the events of
 * the campaigns named come back from campaign.events, read from the moment before sending so
 * that no answer is missed. Kafka's own log lines go to stderr, away from the command's output.
 */
export class Operator {
  readonly #topics: TopicClient;
  readonly #events: TopicRecorder<CampaignEvent>;

  private constructor(topics: TopicClient, events: TopicRecorder<CampaignEvent>) {
    this.#topics = topics;
    this.#events = events;
  }

  /**
   * Fails after `timeoutMs` when the brokers or the registry do not answer: the services' Kafka
   * clients wait for the broker for ever (bootstrap.ts), an operator's command should not.
   */
  static async connect(config: RuntimeConfig, campaignIds: readonly string[], timeoutMs: number): Promise<Operator> {
    const logger = createLogger('otaflow-cli', process.env.OTAFLOW_LOG_LEVEL ?? 'warn', { secrets: config.secrets, destination: process.stderr });
    const connecting = (async () => {
      const topics = await connectTopics(config, logger, `otaflow-cli-${config.instanceId}`, ['campaign-commands', 'campaign-events']);
      const ids = new Set(campaignIds);
      const events = await TopicRecorder.start<CampaignEvent>(topics, 'campaign-events', { from: 'now', keep: (r) => ids.has(r.key ?? '') });
      return new Operator(topics, events);
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`could not reach Kafka at ${config.brokers.join(',')} and the registry at ${maskUrlValue(config.registryUrl)} within ${timeoutMs / 1000} s (--timeout)`)), timeoutMs);
    });
    return Promise.race([connecting, late]).finally(() => clearTimeout(timer));
  }

  /** The named campaigns' events read since connecting, in their partition's order. */
  events(campaignId: string): CampaignEvent[] {
    return this.#events.records.filter((r) => r.key === campaignId).map((r) => r.value);
  }

  /** Sends the commands in order, each on its campaign's key (so one partition keeps their order). */
  async send(commands: readonly CampaignCommand[]): Promise<void> {
    const codec = this.#topics.codecs.get('campaign-commands')!;
    await produce(this.#topics, 'campaign-commands', commands.map((c) => ({ key: c.campaignId, value: codec.encode(c) })));
  }

  /** The answer to each command, in the commands' order; rejects naming the first unanswered one after `timeoutMs`. */
  async answers(commands: readonly CampaignCommand[], timeoutMs: number): Promise<Answer[]> {
    const answerOf = (c: CampaignCommand): Answer | undefined => {
      const e = this.events(c.campaignId).find((x) => x.commandId === c.commandId && (x.type === 'COMMAND_ACCEPTED' || x.type === 'COMMAND_REFUSED'));
      return e && { commandId: c.commandId, accepted: e.type === 'COMMAND_ACCEPTED', reason: e.reason ?? '' };
    };
    const missing = () => commands.find((c) => !answerOf(c));
    await waitFor('an answer on campaign.events', () => !missing(), timeoutMs, 100).catch(() => {
      const c = missing()!;
      throw new Error(`no answer to ${c.type} ${c.commandId} of campaign ${c.campaignId} on ${this.#topics.names.name('campaign-events')} within ${timeoutMs / 1000} s: are the campaign service (and, for verbose logging, the verbose service) running?`);
    });
    return commands.map((c) => answerOf(c)!);
  }

  async close(): Promise<void> {
    await this.#events.stop();
  }
}
