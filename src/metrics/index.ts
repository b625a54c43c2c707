export { createMetrics, type MetricSources, type Metrics, type RequestMetrics } from './metrics.js';
