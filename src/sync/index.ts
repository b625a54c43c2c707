export { SyncRecorder, type RecorderStats, type SyncEvent, type SyncRecorderOptions } from './recorder.js';
