export { SyncRecorder, type RecorderStats, type SyncEvent, type SyncRecorderOptions } from './recorder.js';
export { BackendSync, type BackendSyncOptions } from './backend-sync.js';
export { MemoryCoordinator, type SyncCoordinator } from './coordinator.js';
export { RedisCoordinator, type RedisCoordinatorOptions } from './redis-coordinator.js';
export type { SyncReport, SyncStatus } from './sync-status.js';
export { HttpBackendConnector, type BackendConnector } from './backend/index.js';
export { syncFromConfig, type GatewaySync } from './from-config.js';
