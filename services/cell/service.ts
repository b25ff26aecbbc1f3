import type { ServiceDefinition } from '../runtime/service.ts';
import { cellActor, type CellState } from './cell-actor.ts';
import type { RadioRanges } from './cell-limit.ts';
import { parseCellRequest, type CellRequest } from './messages.ts';

export function cellService(ranges?: RadioRanges): ServiceDefinition<CellState, CellRequest> {
  return {
    name: 'cell',
    actor: cellActor(ranges),
    inputs: { 'cell-requests': parseCellRequest },
    outputs: ['cell-grants', 'cell-events'],
    changelog: 'cell-changelog',
  };
}
