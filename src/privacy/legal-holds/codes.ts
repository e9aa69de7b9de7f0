/**
 * The codes a legal hold is made of, apart from the commands in `./holds.ts` so that `veil hold`
 * can declare its `--reason` choices without loading the database layer.
 */

/** What a hold covers. */
export const HOLD_SCOPES = ['job', 'subject', 'tenant'] as const;
export type HoldScope = (typeof HOLD_SCOPES)[number];

/** Why a hold is placed: codes, so no free text reaches the database or the audit log. */
export const HOLD_REASONS = [
  'litigation',
  'regulatory_investigation',
  'law_enforcement_request',
  'internal_investigation',
  'audit',
  'other',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** A matter or ticket id: an opaque id, not a sentence. */
export const HOLD_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
