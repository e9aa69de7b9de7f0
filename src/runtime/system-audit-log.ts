/**
 * The log of events that belong to no tenant (failed authentication); `./audit.ts` says how logs
 * are named. It lives apart so that `veil audit export` can name it in its help without loading
 * the audit store.
 */
export const SYSTEM_AUDIT_LOG = 'veil:system';
