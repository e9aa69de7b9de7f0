import type { OperatorKeys } from './keys.js';
import type { TagScope } from './tag-scope.js';
import type { TokenVault } from './vault.js';

/** Replace the value with a typed tag (`<PERSON_1>`), numbered per value, or with a fixed text. */
export interface ReplaceConfig {
  readonly operator: 'replace';
  /** A fixed replacement; when absent the value gets a numbered tag. */
  readonly value?: string;
}

/** Remove the value entirely. */
export interface RedactConfig {
  readonly operator: 'redact';
}

/** Overwrite characters of the value with a mask character. */
export interface MaskConfig {
  readonly operator: 'mask';
  /** One character (default `*`). */
  readonly char?: string;
  /** How many characters to mask (default: all that are eligible). */
  readonly count?: number;
  /** Mask from the end of the value rather than from its start. */
  readonly fromEnd?: boolean;
  /** Never mask the last N characters (default 0). */
  readonly keepLast?: number;
  /** Leave characters that are neither letters nor digits (`-`, spaces) as they are. */
  readonly keepSeparators?: boolean;
}

/** HMAC-SHA256 under the tenant's key, hex encoded. */
export interface HashConfig {
  readonly operator: 'hash';
}

/** Reversible authenticated encryption. */
export interface EncryptConfig {
  readonly operator: 'encrypt';
}

/** A deterministic, vault-backed token. */
export interface TokenizeConfig {
  readonly operator: 'tokenize';
}

/** FF3-1 format-preserving encryption of the digits; separators stay, Luhn stays valid for cards. */
export interface FpeConfig {
  readonly operator: 'fpe';
  /** Keep the value's check digit valid (default: `luhn` for CREDIT_CARD, `none` otherwise). */
  readonly checksum?: 'luhn' | 'none';
}

/** Moves a date by a consistent per-subject number of days, keeping its layout. */
export interface DateShiftConfig {
  readonly operator: 'date_shift';
  /** The largest shift in days, either way (default 365). */
  readonly maxDays?: number;
  /** How to read an ambiguous numeric date such as 03/05/2024 (default `mdy`). */
  readonly order?: 'mdy' | 'dmy';
}

/** Coarsens a value: an age to a band, a ZIP code to its first three digits, a date to its year. */
export interface GeneralizeConfig {
  readonly operator: 'generalize';
  /** What the value is (default: inferred from the entity type: AGE, ZIP_CODE, DATE_TIME). */
  readonly kind?: 'age' | 'zip' | 'date';
  /** Width of an age band (default 10). */
  readonly bandWidth?: number;
  /** Ages at or above this become one open band such as `90+` (default 90, as HIPAA requires). */
  readonly topAge?: number;
}

/** Leaves the value as it is (the decision is still recorded). */
export interface KeepConfig {
  readonly operator: 'keep';
}

/** A caller-supplied function; not serialisable, so only library callers can use it. */
export interface CustomConfig {
  readonly operator: 'custom';
  readonly apply: (value: string, type: string) => string | Promise<string>;
}

export type OperatorConfig =
  | ReplaceConfig
  | RedactConfig
  | MaskConfig
  | HashConfig
  | EncryptConfig
  | TokenizeConfig
  | FpeConfig
  | DateShiftConfig
  | GeneralizeConfig
  | KeepConfig
  | CustomConfig;

export type OperatorName = OperatorConfig['operator'];

/** Which operator applies to which entity type, with a default for every other type. */
export interface AnonymizationPlan {
  readonly default: OperatorConfig;
  readonly operators?: Readonly<Record<string, OperatorConfig>>;
}

/**
 * What the keyed operators need at run time. The engine holds no keys and does no I/O: the
 * caller hands these in.
 */
export interface AnonymizeContext {
  /** Key operations for hash, encrypt, fpe, date_shift and the vault. */
  readonly keys?: OperatorKeys;
  /** The token vault for tokenize. */
  readonly vault?: TokenVault;
  /** The tenant the data belongs to (default `default`). */
  readonly tenant?: string;
  /** The tokenisation scope (a job, a data set; default `default`). */
  readonly scope?: string;
  /** The data subject the text is about: date shifts and vault keys are per subject. */
  readonly subject?: string;
  /** Replace numbering shared across calls; a fresh one per call when absent. */
  readonly tags?: TagScope;
}

/** One change made by `anonymize`, with offsets into the output text (end exclusive). */
export interface AnonymizedItem {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** The operator actually applied (a fallback, such as `replace`, when the planned one could not apply). */
  readonly operator: OperatorName;
  /** date_shift only: the original date's layout (field tokens and separators, no values). */
  readonly format?: string;
}

export interface AnonymizeResult {
  readonly text: string;
  readonly items: readonly AnonymizedItem[];
}

/** What one operator sees when it runs on one value. */
export interface OperatorEnv {
  readonly type: string;
  readonly keys: OperatorKeys | undefined;
  readonly vault: TokenVault | undefined;
  readonly tenant: string;
  readonly scope: string;
  readonly subject: string | undefined;
  readonly tags: TagScope;
}

/** An operator's output when it is more than the new text. */
export interface OperatorOutput {
  readonly text: string;
  /** Set when a different operator was applied (a fallback). */
  readonly operator?: OperatorName;
  readonly format?: string;
}

/** One anonymisation operator: its name, what it needs, how it applies, and how it reverses. */
export interface Operator<C extends OperatorConfig = OperatorConfig> {
  readonly name: C['operator'];
  readonly needs: readonly ('keys' | 'vault')[];
  /** Throws VEIL_INVALID_OPTION naming `path` when the config is unusable. */
  validate(config: C, path: string): void;
  apply(
    value: string,
    config: C,
    env: OperatorEnv,
  ): string | OperatorOutput | Promise<string | OperatorOutput>;
  /** Present for reversible operators: the exact inverse of apply. */
  reverse?(
    value: string,
    config: C | undefined,
    env: OperatorEnv,
    item: AnonymizedItem,
  ): string | Promise<string>;
}
