import type { ServiceDefinition } from '../runtime/service.ts';
import { parseVerboseRequest, type VerboseRequest } from './messages.ts';
import { verboseActor, type VerboseState } from './verbose-actor.ts';

export const verboseService: ServiceDefinition<VerboseState, VerboseRequest> = {
  name: 'verbose',
  actor: verboseActor,
  inputs: { 'verbose-requests': parseVerboseRequest },
  outputs: ['campaign-events', 'device-campaign', 'verbose-events'],
  changelog: 'verbose-changelog',
};
