import { inputParsers } from '../../contracts/index.ts';
import type { VerboseRequest } from '../../contracts/verbose-requests.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { verboseActor, type VerboseOutput, type VerboseState } from './verbose-actor.ts';

export const verboseService: ServiceDefinition<VerboseState, VerboseRequest, VerboseOutput> = {
  name: 'verbose',
  actor: verboseActor,
  inputs: inputParsers<VerboseRequest>({ 'verbose-requests': (request) => request }),
  outputs: ['campaign-events', 'device-campaign', 'verbose-events'],
  changelog: 'verbose-changelog',
};
