import { inputParsers } from '../../contracts/index.ts';
import type { ServiceDefinition } from '../runtime/service.ts';
import { cellActor, type CellOutput, type CellState } from './cell-actor.ts';
import type { RadioRanges } from './cell-limit.ts';
import type { CellRequest } from '../../contracts/cell-requests.ts';

export function cellService(ranges?: RadioRanges): ServiceDefinition<CellState, CellRequest, CellOutput> {
  return {
    name: 'cell',
    actor: cellActor(ranges),
    inputs: inputParsers<CellRequest>({ 'cell-requests': (request) => request }),
    outputs: ['cell-grants', 'cell-events'],
    changelog: 'cell-changelog',
  };
}
