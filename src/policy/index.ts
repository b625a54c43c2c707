export * from './model.js';
export { createUserNormalizer, normalizeUser, type UserNamingOptions, type UserNormalizer } from './user-name.js';
export { licenseEndMs, licenseStatus, type LicenseStatus } from './license.js';
export { DECISIONS, DISCOVERY, makeDecision, stateDiffers, type Decision, type RefusalStatus } from './decision.js';
export {
  buildSnapshot,
  compileMailbox,
  indexRules,
  withLicenseInUse,
  type IndexedRule,
  type MailboxPolicy,
  type PolicyData,
  type PolicySnapshot,
  type RuleIndex,
} from './snapshot.js';
export { DISCOVERY_COMMANDS, evaluate, type EvalRequest } from './evaluate.js';
export {
  choosePolicy,
  compileEasPolicy,
  EAS_POLICY_SETTINGS,
  effectiveSettings,
  parseEasPolicy,
  POLICY_NAME,
  stricterOf,
  type CompiledEasPolicy,
  type EasPolicy,
  type PolicyChoice,
  type PolicySource,
  type SettingValue as EasSettingValue,
} from './eas-policy/index.js';
export { intern, internDevice } from './intern.js';
export { POLICY_ERRORS, PolicyError, type PolicyErrorCode } from './errors.js';
export { loadPolicyFile, parsePolicyDocument, type PolicyDocument } from './policy-file.js';
