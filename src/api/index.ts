export { adminFrameworkErrors, registerAdminApi, toApiError } from './plugin.js';
export { buildAdminServer, type AdminServer, type AdminServerOptions } from './server.js';
export { ADMIN_MAX_PARAM_LENGTH, API_PREFIX, type AdminApiDeps, type RouteDef } from './route.js';
export { ROUTES } from './routes/index.js';
export { BOOTSTRAP_NAME, GRANTS, PERMISSIONS, ROLES, type Actor, type Permission, type Role } from './auth.js';
export { ApiError, type ApiErrorCode } from './errors.js';
export { listAssociations, LIST_QUERY, SCAN_BUDGET, type ListQuery } from './association-list.js';
