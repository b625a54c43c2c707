export { consoleUrl, loadConfig, ConfigError, type Config } from './load.js';
export { publicRootsPlus } from './extra-ca.js';
export { SETTINGS, MAX_HEARTBEAT_MS, type SettingSpec, type SettingName } from './settings.js';
