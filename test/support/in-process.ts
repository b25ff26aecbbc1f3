import type { Clock } from '../../services/runtime/clock.ts';
import { startService, type RunningService, type ServiceDefinition } from '../../services/runtime/service.ts';
import type { Topology } from '../../scripts/lib/topology.ts';

/** Runs a service inside the test process, on the topology's topics. */
export function startInProcess<S, In>(def: ServiceDefinition<S, In>, t: Topology, clock: Clock = t.config.clock): Promise<RunningService> {
  return startService(def, { kafka: t.kafka, names: t.names, codecs: t.codecs, clock, logger: t.logger.child({ service: def.name }) });
}
