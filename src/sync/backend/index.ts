export type { AssociationBatch, BackendAction, BackendActionKind, BackendAssociation, BackendConnector, BackendDeletion, BackendDevice, BackendPage } from './types.js';
export { BACKEND_ACTIONS, BACKEND_FIELDS } from './types.js';
export { BackendError, type BackendErrorCode } from './errors.js';
export { HttpBackendConnector, type HttpConnectorOptions } from './http-connector.js';
