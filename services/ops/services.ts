/** Every otaflow service, in the order that fixes its HTTP port under `otaflow run`. */
export const serviceNames = ['campaign', 'members', 'device', 'cell', 'pilot', 'verbose', 'projector'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** `otaflow run`'s base port when OTAFLOW_HTTP_PORT is unset. */
export const DEFAULT_BASE_PORT = 9400;

/**
 * The port of a service under `otaflow run`: the supervisor serves on the base port and each
 * service on base + 1 + its place in serviceNames, whichever services one instance runs, so a
 * scrape config and probes can name them (campaign 9401 ... projector 9407 by default).
 */
export function servicePort(base: number, name: ServiceName): number {
  return base + 1 + serviceNames.indexOf(name);
}

export function isServiceName(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}
