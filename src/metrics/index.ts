export { createMetrics, type MetricSources, type Metrics, type RequestMetrics } from './metrics.js';
export type { BackendSyncReading } from './sync-metrics.js';
