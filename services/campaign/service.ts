import { inputParsers } from '../../contracts/index.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { campaignActor, type CampaignInput, type CampaignOutput, type CampaignState } from './campaign-actor.ts';

export const campaignService: ServiceDefinition<CampaignState, CampaignInput, CampaignOutput> = {
  name: 'campaign',
  actor: campaignActor,
  inputs: inputParsers<CampaignInput>({
    'campaign-commands': (command) => ({ kind: 'command', command }),
    'campaign-device-decisions': (decision) => ({ kind: 'decision', decision }),
    'campaign-device-results': (result) => ({ kind: 'result', result }),
    'pilot-answers': (answer) => ({ kind: 'pilot', answer }),
  }),
  outputs: ['campaign-events', 'campaign-parts', 'pilot-requests', 'verbose-requests', 'dynamic-campaigns'],
  changelog: 'campaign-changelog',
};
