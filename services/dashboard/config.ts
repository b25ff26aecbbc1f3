import { DEFAULT_BASE_PORT, serviceNames } from '../ops/services.ts';
import { envPort, parseRuntimeConfig, type Env, type RuntimeConfig } from '../runtime/config.ts';

/** The dashboard's port under `otaflow run` with base port `base`: the one after the services' (9408 by default). */
export const dashboardPortAfter = (base: number): number => base + 1 + serviceNames.length;

export interface DashboardConfig extends RuntimeConfig {
  /** OTAFLOW_DASHBOARD_PORT (default 9408). */
  readonly dashboardPort: number;
}

export function parseDashboardConfig(env: Env): DashboardConfig {
  return Object.freeze({ ...parseRuntimeConfig(env), dashboardPort: envPort(env, 'OTAFLOW_DASHBOARD_PORT') ?? dashboardPortAfter(DEFAULT_BASE_PORT) });
}

/**
 * The port of the dashboard `otaflow run` starts: OTAFLOW_DASHBOARD_PORT, else the one after
 * the services' ports (none when the base port is 0); 0 means no dashboard.
 */
export function runDashboardPort(env: Env, basePort: number): number {
  return envPort(env, 'OTAFLOW_DASHBOARD_PORT') ?? (basePort ? dashboardPortAfter(basePort) : 0);
}
