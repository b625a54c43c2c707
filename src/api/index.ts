export { adminFrameworkErrors, registerAdminApi } from './plugin.js';
export { buildAdminServer, type AdminServer, type AdminServerOptions } from './server.js';
export { ADMIN_MAX_PARAM_LENGTH, API_PREFIX, type AdminApiDeps, type RouteDef } from './route.js';
export { ROUTES } from './routes/index.js';
export { BOOTSTRAP_NAME, GRANTS, mintToken, PERMISSIONS, ROLES, type Actor, type Permission, type Role } from './auth.js';
export { ApiError, type ApiErrorCode } from './errors.js';
export { SCAN_BUDGET } from './association-list.js';
