import type { ServiceDefinition } from '../runtime/service.ts';
import { campaignActor, type CampaignState } from './campaign-actor.ts';
import { parseCommand, parseDecision, parseResult, type CampaignInput } from './messages.ts';

export const campaignService: ServiceDefinition<CampaignState, CampaignInput> = {
  name: 'campaign',
  actor: campaignActor,
  inputs: {
    'campaign-commands': parseCommand,
    'campaign-device-decisions': parseDecision,
    'campaign-device-results': parseResult,
  },
  outputs: ['campaign-events', 'device-offers'],
  changelog: 'campaign-changelog',
};
