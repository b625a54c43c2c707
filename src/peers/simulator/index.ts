export { DeviceSimulator } from './device-simulator.js';
export { runConversation, type ConversationOptions } from './conversation.js';
export { stableTranscript } from './facts.js';
export { formatTranscript } from './format.js';
export { runSimulateCommand } from './cli.js';
export type { SyncOptions, PingFolderSpec } from './bodies.js';
export type { FolderInfo, FolderSyncResult, SyncResult, SyncCollectionResult, SyncedItem, PingResult, ProvisionResult, EstimateResult } from './readers.js';
export type { DeviceInformation, DeviceSimulatorOptions, EasResponse, Exchange, Transcript, TranscriptStep } from './types.js';
