import { ServiceProcess } from './service-process.ts';
import type { Topology } from './topology.ts';

export const serviceNames = ['campaign', 'device', 'cell', 'projector'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** Every otaflow service as its own process on the topology's topics. */
export class Pipeline {
  readonly services: Record<ServiceName, ServiceProcess>;
  constructor(t: Topology, label: string, logDir?: string) {
    this.services = Object.fromEntries(serviceNames.map((n) => [n, new ServiceProcess(n, t.env, label, logDir)])) as Record<ServiceName, ServiceProcess>;
  }
  start(): void {
    for (const s of Object.values(this.services)) s.start();
  }
  async stop(): Promise<void> {
    await Promise.all(Object.values(this.services).map((s) => s.stop()));
  }
}
