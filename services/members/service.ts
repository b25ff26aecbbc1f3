import type { PartMessage } from '../../contracts/campaign-parts.ts';
import { inputParsers } from '../../contracts/index.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { membersActor, type MembersOutput, type PartState } from './members-actor.ts';

export const membersService: ServiceDefinition<PartState, PartMessage, MembersOutput> = {
  name: 'members',
  actor: membersActor,
  inputs: inputParsers<PartMessage>({ 'campaign-parts': (message) => message }),
  outputs: ['device-campaign'],
  changelog: 'members-changelog',
};
