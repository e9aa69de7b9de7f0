export {
  AnomalyDetector,
  ALERT_RULES,
  DEFAULT_THRESHOLDS,
  NO_TENANT,
  withinWorkingHours,
} from './detector.js';
export type {
  AlertRule,
  AuditObservation,
  Observation,
  RaisedAlert,
  RequestObservation,
} from './detector.js';
export {
  AlertDispatcher,
  alertBody,
  alertRaisedEvent,
  DEFAULT_WEBHOOK_ENV,
  listAlerts,
  SIGNATURE_HEADER,
  signWebhook,
  storeAlert,
  TIMESTAMP_HEADER,
  webhookTargets,
} from './alerts.js';
export type { AlertToDeliver, DispatcherOptions, StoredAlert, WebhookTarget } from './alerts.js';
