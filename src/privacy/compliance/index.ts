export { CONTROLS } from './controls.js';
export type { Clause, Control, ControlStatus, TestRef } from './controls.js';
export { auditActionCounts, treeHeadEvidence } from './evidence.js';
export type { TreeHeadEvidence } from './evidence.js';
export { buildComplianceReport, renderHtml, renderMarkdown } from './report.js';
export type { ComplianceReport, ControlEvidence, ReportInput } from './report.js';
