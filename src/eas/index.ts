export { COMMANDS, commandByCode, commandByName, type CommandInfo } from './commands.js';
export { encodeBase64Query, parseQuery, QueryError, QUERY_TAGS, type Base64QueryInput, type QueryEncoding, type RawQuery } from './query.js';
export { readAuthorization, type AuthIdentity, type AuthScheme } from './auth-header.js';
export { identifyRequest, type DeviceRequest } from './device-request.js';
export { inspectBody, inspectedLogFields, type InspectedBody } from './inspect-body.js';
export { readProvisionRequest, readSettingsRequest, parseCount, type DeviceInformation, type ProvisionRequest, type SettingsRequest } from './device-info.js';
export { readPingRequest, readSyncRequest, type PingRequest, type SyncRequest } from './body-facts.js';
export { commandStatusAnswer, pingAnswer, provisionWipeDirective, type PingAnswerExtras } from './answers.js';
