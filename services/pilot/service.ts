import type { ServiceDefinition } from '../runtime/service.ts';
import { parsePilotRequest, type PilotRequest } from './messages.ts';
import { pilotActor, type PilotState } from './pilot-actor.ts';

export const pilotService: ServiceDefinition<PilotState, PilotRequest> = {
  name: 'pilot',
  actor: pilotActor,
  inputs: { 'pilot-requests': parsePilotRequest },
  outputs: ['pilot-answers', 'pilot-events'],
  changelog: 'pilot-changelog',
};
