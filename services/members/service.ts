import type { ServiceDefinition } from '../runtime/service.ts';
import { membersActor, type PartState } from './members-actor.ts';
import { parsePartMessage, type PartMessage } from './messages.ts';

export const membersService: ServiceDefinition<PartState, PartMessage> = {
  name: 'members',
  actor: membersActor,
  inputs: { 'campaign-parts': parsePartMessage },
  outputs: ['device-campaign'],
  changelog: 'members-changelog',
};
