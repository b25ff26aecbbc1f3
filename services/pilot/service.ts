import { inputParsers } from '../../contracts/index.ts';
import type { PilotRequest } from '../../contracts/pilot-requests.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { pilotActor, type PilotOutput, type PilotState } from './pilot-actor.ts';

export const pilotService: ServiceDefinition<PilotState, PilotRequest, PilotOutput> = {
  name: 'pilot',
  actor: pilotActor,
  inputs: inputParsers<PilotRequest>({ 'pilot-requests': (request) => request }),
  outputs: ['pilot-answers', 'pilot-events'],
  changelog: 'pilot-changelog',
};
