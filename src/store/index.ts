export type {
  AdminToken,
  AssociationFilter,
  AssociationIndex,
  AssociationPatch,
  AssociationQuery,
  AuditEntry,
  AuditQuery,
  Change,
  ChangedPage,
  ChangeKind,
  ChangeListener,
  DeletedPage,
  MailboxQuery,
  MailboxWrite,
  MailboxWriteOptions,
  NewAssociation,
  NewAuditEntry,
  Page,
  RegisteredDevice,
  SearchField,
  StateUpdate,
  Store,
  SyncRecord,
} from './types.js';
export { ASSOCIATION_FIELDS, associationId } from './association-codec.js';
export { cursorAfter, MAX_PAGE } from './association-query.js';
export { searchAssociations, searchCursorAfter, type SearchQuery } from './association-search.js';
export { associationMatches } from './association-filter.js';
export { STORE_ERRORS, StoreError, type StoreErrorCode } from './errors.js';
export { MemoryStore } from './memory-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { KEY_SCHEMA_VERSION, keySchema, type KeySchema } from './redis-keys.js';
export { describeRedisAddress, parseRedisAddress, type RedisAddress, type RedisNode } from './redis-address.js';
export { closeRedis, connectRedis } from './redis-connect.js';
export type { RedisClient } from './redis-scripts.js';
export { PolicyRuntime, type PolicyRuntimeOptions, type RuntimeStats } from './policy-runtime.js';
export { applyPolicy, type ApplyReport } from './apply-policy.js';
export type { RegisteredDevices } from './registered-devices.js';
export { UserCache } from './user-cache.js';
export { countStoreCalls, type StoreCallCount, type StoreCalls } from './store-calls.js';
