import { inputParsers } from '../../contracts/index.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { campaignActor, type CampaignInput, type CampaignOutput, type CampaignState } from './campaign-actor.ts';
import type { CommandPolicy } from './command-policy.ts';

/** The campaign service, answering commands under `policy` (R-SEC-2). */
export function campaignService(policy: CommandPolicy): ServiceDefinition<CampaignState, CampaignInput, CampaignOutput> {
  return {
    name: 'campaign',
    actor: campaignActor(policy),
    inputs: inputParsers<CampaignInput>({
      'campaign-commands': (command) => ({ kind: 'command', command }),
      'campaign-device-decisions': (decision) => ({ kind: 'decision', decision }),
      'campaign-device-results': (result) => ({ kind: 'result', result }),
      'pilot-answers': (answer) => ({ kind: 'pilot', answer }),
    }),
    outputs: ['campaign-events', 'campaign-parts', 'pilot-requests', 'verbose-requests', 'dynamic-campaigns'],
    changelog: 'campaign-changelog',
  };
}
