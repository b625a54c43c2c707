/** The test peers: a sample EAS upstream and a device simulator (tests, demo, benchmarks). */
export * from './sample-upstream/index.js';
export * from './simulator/index.js';
export { PROTOCOL_VERSIONS, type ProtocolVersion } from './common/protocol.js';
export type { CommandIo } from './common/io.js';
