/**
 * Veil's HTTP API. `buildApp` takes its adapters as arguments; see `ports.ts` for what it needs.
 */
export { buildApp, API_VERSION } from './app.js';
export { loadApiConfig, apiConfigSchema, type ApiConfig } from './config.js';
export { principalOf } from './guard.js';
export { LOG_REDACT_PATHS } from './logging.js';
export type {
  ApiDependencies,
  ApiRoutePlugin,
  Authenticate,
  Authorize,
  Permission,
  Principal,
  ReadinessCheck,
  RequestHeaders,
  TenantKeys,
  TlsFiles,
} from './ports.js';
