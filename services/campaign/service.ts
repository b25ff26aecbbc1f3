import type { ServiceDefinition } from '../runtime/service.ts';
import { campaignActor, type CampaignState } from './campaign-actor.ts';
import { parseCommand, parseDecision, parsePilotGateAnswer, parseResult, type CampaignInput } from './messages.ts';

export const campaignService: ServiceDefinition<CampaignState, CampaignInput> = {
  name: 'campaign',
  actor: campaignActor,
  inputs: {
    'campaign-commands': parseCommand,
    'campaign-device-decisions': parseDecision,
    'campaign-device-results': parseResult,
    'pilot-answers': parsePilotGateAnswer,
  },
  outputs: ['campaign-events', 'campaign-parts', 'pilot-requests', 'verbose-requests'],
  changelog: 'campaign-changelog',
};
