import { serviceNames, type ServiceName } from '../../services/ops/services.ts';
import { withLocalTokenKeys } from './local-token-keys.ts';
import { ServiceProcess } from './service-process.ts';
import type { Topology } from './topology.ts';

export { serviceNames, type ServiceName };

/** Every otaflow service as its own process on the topology's topics. */
export class Pipeline {
  readonly services: Record<ServiceName, ServiceProcess>;
  readonly #extras: ServiceProcess[] = [];
  constructor(t: Topology, label: string, logDir?: string) {
    const env = withLocalTokenKeys(t.env);
    this.services = Object.fromEntries(serviceNames.map((n) => [n, new ServiceProcess(n, env, label, logDir)])) as Record<ServiceName, ServiceProcess>;
  }
  start(): void {
    for (const s of Object.values(this.services)) s.start();
  }

  /** One more process of a service in the same consumer group: Kafka shares the partitions. */
  scaleOut(name: ServiceName, env: Record<string, string | undefined>, label: string, instance: string): ServiceProcess {
    const extra = new ServiceProcess(name, env, `${label}-${instance}`);
    extra.start(instance);
    this.#extras.push(extra);
    return extra;
  }
  async stop(): Promise<void> {
    await Promise.all([...Object.values(this.services), ...this.#extras].map((s) => s.stop()));
  }
}
