export { startSampleBackend, type SampleBackend, type SampleBackendOptions, type SampleBackendSwitches } from './server.js';
