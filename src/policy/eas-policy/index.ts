export { EAS_POLICY_SETTINGS, SETTING_BY_NAME, type SettingKind, type SettingSpec, type SettingValue } from './settings.js';
export { choosePolicy, compileEasPolicy, type CompiledEasPolicy, type PolicyChoice, type PolicySource } from './resolve.js';
export { effectiveSettings, parseEasPolicy, POLICY_NAME, stricterOf, stricterValue, type EasPolicy } from './document.js';
