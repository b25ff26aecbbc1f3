import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RuntimeMetrics } from '../runtime/metrics.ts';

/** The projector's metrics beside the shared runtime ones (lag per partition, records in, dead letters). */
export interface ProjectorMetrics {
  readonly runtime: RuntimeMetrics;
  /** Seconds from a record's produce time to the commit of the write that stored it, per projection. */
  readonly lagSeconds: Gauge<'projection'>;
  readonly writeSeconds: Histogram<'projection'>;
  readonly rowsWritten: Counter<'projection'>;
}

export function createProjectorMetrics(registry: Registry, runtime: RuntimeMetrics): ProjectorMetrics {
  const registers = [registry];
  return {
    runtime,
    lagSeconds: new Gauge({ name: 'otaflow_projection_lag_seconds', help: 'Age of the newest record at the commit of the write that stored it', labelNames: ['projection'], registers }),
    writeSeconds: new Histogram({ name: 'otaflow_projection_write_seconds', help: 'Time of one projection SQL transaction (rows and offsets)', labelNames: ['projection'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    rowsWritten: new Counter({ name: 'otaflow_projection_rows_written_total', help: 'Row changes written by a projection (after folding by row)', labelNames: ['projection'], registers }),
  };
}

/** The projection lag of records just committed, from their produce timestamps. */
export function observeCommitted(metrics: ProjectorMetrics, projection: string, timestamps: readonly number[], now = Date.now()): void {
  if (timestamps.length > 0) metrics.lagSeconds.set({ projection }, Math.max(0, now - timestamps.reduce((a, b) => Math.max(a, b))) / 1000);
}
