/**
 * The deployment's configuration: one zod schema over the environment variables (and the flags
 * that stand for them), defaults in one place, validated before anything opens. A bad value stops
 * the program with `VEIL_CONFIG_INVALID` naming the setting (and its flag); an unknown `VEIL_*`
 * variable is reported, with the closest known name, so a typo does not silently fall back to a
 * default. `veil config check` prints {@link describeConfig}: every setting, where its value came
 * from, secrets hidden.
 *
 * To add a setting, add one entry to {@link configSchema} (named as its environment variable,
 * wrapped in {@link secret} if its value must never be printed) and, when it depends on others,
 * one check in `crossChecks`. Nothing else needs to know the list.
 */
import { DEFAULT_FUSED_MAX_BYTES, MAX_INLINE_BYTES } from '../pipeline/jobs/fused.js';
import { z } from 'zod';
import { OCR_LEXICONS } from '../documents/ocr/address-lexicon.js';
import { OCR_ENGINES, TESSERACT_LANGUAGES } from '../documents/ocr/engine.js';
import { VeilError } from '../errors/veil-error.js';
import { closestName } from '../errors/closest-name.js';
import { BLOB_DRIVERS } from '../store/index.js';

const secrets = z.registry<{ secret: true }>();

/** Marks a setting whose value is never printed (`veil config check` shows `(set, hidden)`). */
export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema, { secret: true });
  return schema;
}

const text = () => z.string().trim().min(1, 'must not be empty');

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `expected an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `expected an integer from ${min} to ${max}`)
        .max(max, `expected an integer from ${min} to ${max}`),
    );
}

function absoluteUrl(protocols: readonly string[]) {
  const expected = protocols.map((p) => `${p}//`).join(' or ');
  return text().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `expected an absolute ${expected} URL`);
}

/** A yes/no setting: `true`/`false` (or `1`/`0`, `yes`/`no`). */
const flag = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => /^(true|false|1|0|yes|no)$/.test(value), 'expected true or false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `s3://bucket` or `s3://bucket/prefix`. */
const S3_URL = /^s3:\/\/([^/]+)(?:\/(.*))?$/;
/** S3's bucket naming rules (lowercase, 3 to 63 characters, no leading or trailing dot or hyphen). */
const BUCKET_NAME = /^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
/** Key segments of S3's safe characters, without leading, trailing or doubled slashes. */
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/;

/**
 * The bucket and prefix of `VEIL_BLOBS=s3://bucket/prefix`, or undefined for another value.
 *
 * @example
 * ```ts
 * s3UrlParts('s3://veil-blobs/prod'); // { bucket: 'veil-blobs', prefix: 'prod' }
 * ```
 */
export function s3UrlParts(value: string): { bucket: string; prefix?: string } | undefined {
  const match = S3_URL.exec(value);
  if (match === null) return undefined;
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1]!, ...(prefix === '' ? {} : { prefix }) };
}

/** A comma-separated list of non-empty names. */
const list = () =>
  text().transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The KEK providers `VEIL_KEK` selects. */
export const KEK_DRIVERS = ['local-file', 'env', 'vault-transit', 'aws-kms'] as const;

/**
 * Every setting, named as its environment variable. Values arrive as strings (the environment
 * has no other type) and leave parsed.
 */
export const configSchema = z
  .object({
    // Storage.
    /** Keys, blobs and (without DATABASE_URL) the PGlite database. */
    VEIL_DATA_DIR: text().default('.veil'),
    /** A PostgreSQL connection string; PGlite in the data directory when unset. */
    DATABASE_URL: secret(absoluteUrl(['postgres:', 'postgresql:']).optional()),
    /**
     * PostgreSQL: run each repeated statement as a named prepared statement (parsed and planned
     * once per connection). false for a pooler that cannot keep them (PgBouncer in transaction
     * mode before 1.21, or without max_prepared_statements).
     */
    VEIL_PG_PREPARED_STATEMENTS: flag().default(true),
    /**
     * Where encrypted blobs live: files in the data directory, the database, or an S3 bucket (both
     * shared by every machine using them); `s3://bucket/prefix` names the bucket in one setting.
     */
    VEIL_BLOBS: text()
      .refine(
        (value) => (BLOB_DRIVERS as readonly string[]).includes(value) || S3_URL.test(value),
        'expected file (encrypted files in the data directory), postgres (encrypted, in the database), s3 (encrypted, in VEIL_S3_BUCKET) or s3://bucket/prefix',
      )
      .default('file'),
    /** s3: the bucket (it must exist; Veil never creates one). */
    VEIL_S3_BUCKET: text()
      .regex(BUCKET_NAME, 'expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)')
      .optional(),
    /** s3: a key prefix inside the bucket (`veil/prod`), so one bucket can hold several deployments. */
    VEIL_S3_PREFIX: text()
      .regex(KEY_PREFIX, "expected path segments of letters, digits and !-_.*'() separated by /")
      .optional(),
    /** s3: the AWS region; the SDK's usual chain (AWS_REGION, the profile) when unset. Credentials always come from that chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, a role). */
    VEIL_S3_REGION: text().optional(),
    /** s3: another S3-compatible service (MinIO, Ceph, R2); AWS when unset. */
    VEIL_S3_ENDPOINT: absoluteUrl(['https:', 'http:']).optional(),
    /** s3: path-style addressing (endpoint/bucket/key), which most self-hosted stores need. */
    VEIL_S3_FORCE_PATH_STYLE: flag().default(false),

    // Documents.
    /** Which OCR engine reads images: the best one that loads (`auto`: PP-OCR on ONNX Runtime, else the `tesseract` CLI, else tesseract.js), or one of them named, three CLI readings voted, or PP-OCR checked against the CLI. PP-OCR reads receipts best but a process reading with it holds about 680 MiB resident (the CLI: about 255 MiB) and spends about twice the CLI's CPU per receipt. */
    VEIL_OCR: z
      .enum(OCR_ENGINES, {
        error:
          'expected auto (PP-OCR when ONNX Runtime and its models load, else the tesseract CLI when installed, else tesseract.js), native (the tesseract CLI), wasm (tesseract.js), vote (three tesseract CLI readings voted word by word), paddle (PP-OCR models on ONNX Runtime) or paddle-checked (PP-OCR checked word by word against the tesseract CLI)',
      })
      .default('auto'),
    /** The words PP-OCR (`VEIL_OCR=paddle`, `paddle-checked`, or `auto` when it picks PP-OCR) checks its doubtful readings against: Malaysian address and letterhead words, or none. */
    VEIL_OCR_LEXICON: z
      .enum(OCR_LEXICONS, {
        error:
          'expected malaysia (Malaysian address and letterhead words) or none (every word as the model read it)',
      })
      .default('malaysia'),
    /** The installed models the tesseract CLI reads with (`VEIL_OCR=native`, `vote`, `paddle-checked`, or `auto` when it picks the CLI), as tesseract's `-l` takes them: `eng` (English) when unset, `eng+msa` with Debian's Malay model (`tesseract-ocr-msa`), `Latin` with its Latin-script one (`tesseract-ocr-script-latn`). Checked at start for the engines named outright. */
    VEIL_OCR_LANGS: text()
      .regex(TESSERACT_LANGUAGES, 'expected tesseract models joined by + (eng, eng+msa, Latin)')
      .optional(),

    // Logs.
    VEIL_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),

    // The HTTP API (`veil serve`).
    VEIL_HOST: text().default('127.0.0.1'),
    VEIL_PORT: integer(0, 65535).default(8080),
    /** Jobs each step runs at once in `veil serve` (0: none) or `veil worker` (at least 1). */
    VEIL_WORKERS: integer(0, 64).default(1),
    /** Threads analysing texts for /v1/analyze and /v1/anonymize; one per core when unset. */
    VEIL_DETECTION_THREADS: integer(0, 64).optional(),
    /**
     * The largest document, in bytes, sent as text/plain that runs as one fused job message (every
     * step in one worker run); larger ones, and other formats, go through the per-step queues. 0
     * sends every job through the per-step queues. Read by `veil serve`, which submits jobs.
     */
    VEIL_FUSED_MAX_BYTES: integer(0, 16 * 1024 * 1024).default(DEFAULT_FUSED_MAX_BYTES),
    /**
     * The largest document, in bytes, sent as text/plain (without the fields or text outputs)
     * that `veil serve` runs to completion in the request that submits it: nothing queued, the
     * original never stored, the answer `succeeded`. 0 (the default) queues every job.
     */
    VEIL_INLINE_MAX_BYTES: integer(0, MAX_INLINE_BYTES).default(0),
    /** PEM certificate chain and private key: the API serves HTTPS (with HSTS) when both are set. */
    VEIL_TLS_CERT: text().optional(),
    VEIL_TLS_KEY: text().optional(),

    // Sign-in with an external OpenID Connect issuer (the local issuer's tokens when unset).
    VEIL_OIDC_ISSUER: absoluteUrl(['https:', 'http:']).optional(),
    /** The audiences this service answers to (comma-separated); required with an issuer. */
    VEIL_OIDC_AUDIENCE: list().optional(),
    /** The issuer's key set, when it is not found through OIDC discovery. */
    VEIL_JWKS_URL: absoluteUrl(['https:', 'http:']).optional(),
    /** The claim holding the tenant id; dots walk into nested claims (`org.tenant`). */
    VEIL_OIDC_TENANT_CLAIM: text().default('tenant'),
    /** The claim holding the roles (`realm_access.roles` for Keycloak). */
    VEIL_OIDC_ROLES_CLAIM: text().default('roles'),
    /** Least time between two fetches of the key set when a token names an unknown key. */
    VEIL_OIDC_KEYS_REFRESH_SECONDS: integer(0, 3600).default(30),
    /** How long a token that verified is trusted without checking its signature again. */
    VEIL_OIDC_TOKEN_CACHE_SECONDS: integer(0, 300).default(30),
    /** The console's public client id at the issuer: the console signs in with the authorization-code flow and PKCE. */
    VEIL_CONSOLE_CLIENT_ID: text().optional(),
    /** The scopes the console asks for (space-separated); `openid` must be one. */
    VEIL_CONSOLE_SCOPE: text()
      .refine((scope) => scope.split(/\s+/).includes('openid'), 'must include openid')
      .default('openid'),

    // The key-encryption key.
    VEIL_KEK: z
      .enum(KEK_DRIVERS, { error: `expected one of ${KEK_DRIVERS.join(', ')}` })
      .default('local-file'),
    /** local-file: the key file; `<data dir>/kek.key` when unset (0600, created on first use). */
    VEIL_KEK_FILE: text().optional(),
    /** env: the base64 32-byte key itself (openssl rand -base64 32). */
    VEIL_KEK_BASE64: secret(text().optional()),
    /** vault-transit: Vault's address, token, Transit key, mount and namespace. */
    VEIL_VAULT_ADDR: absoluteUrl(['https:', 'http:']).optional(),
    VEIL_VAULT_TOKEN: secret(text().optional()),
    VEIL_VAULT_KEY: text().optional(),
    VEIL_VAULT_MOUNT: text().default('transit'),
    VEIL_VAULT_NAMESPACE: text().optional(),
    /** aws-kms: the key id, ARN or alias; region and endpoint (any KMS-compatible service). Credentials come from the AWS SDK's usual chain. */
    VEIL_KMS_KEY_ID: text().optional(),
    VEIL_KMS_REGION: text().optional(),
    VEIL_KMS_ENDPOINT: absoluteUrl(['https:', 'http:']).optional(),
    /** The region the KEK is held in (`eu`); a local file or environment key defaults to VEIL_REGION. With VEIL_REGION set, a provider in another region (or none) stops the start. */
    VEIL_KEK_REGION: text().optional(),
    // The AI provider (src/ai/model/config.ts reads and checks these in detail; listed here so they
    // are known, printed by `veil config check`, and the key is never shown).
    VEIL_AI_URL: absoluteUrl(['https:', 'http:']).optional(),
    VEIL_AI_MODEL: text().optional(),
    VEIL_AI_API_KEY: secret(text().optional()),
    VEIL_AI_REGION: text().optional(),
    VEIL_AI_TIMEOUT_MS: integer(1, 3_600_000).optional(),
    VEIL_AI_MAX_RETRIES: integer(0, 5).optional(),
    /** How often `veil serve` rotates data keys due by policy (`keys.rotate_every`) and re-wraps them under the current KEK; 0 never. */
    VEIL_KEY_MAINTENANCE_SECONDS: integer(0, 604_800).default(3600),
    // Governance (src/cli/governance-env.ts reads and checks these in detail; listed so they are
    // known and printed by `veil config check`).
    VEIL_POLICY_DIR: text().optional(),
    VEIL_REGION: text().optional(),
    VEIL_SWEEP_SECONDS: integer(0, 86_400).optional(),
  })
  .superRefine((config, context) => crossChecks(config, context));

/** The validated configuration: every default filled in, every value parsed. */
export type VeilConfig = z.output<typeof configSchema>;

/** A setting's name (its environment variable). */
export type SettingName = keyof z.input<typeof configSchema>;

/** Settings that only make sense together. */
function crossChecks(config: Record<string, unknown>, context: z.RefinementCtx): void {
  const c = config as Partial<Record<SettingName, unknown>>;
  const need = (setting: SettingName, because: string): void => {
    if (c[setting] === undefined)
      context.addIssue({ code: 'custom', path: [setting], message: `must be set ${because}` });
  };
  if ((c.VEIL_TLS_CERT === undefined) !== (c.VEIL_TLS_KEY === undefined)) {
    need('VEIL_TLS_CERT', 'together with VEIL_TLS_KEY');
    need('VEIL_TLS_KEY', 'together with VEIL_TLS_CERT');
  }
  if (c.VEIL_OIDC_ISSUER !== undefined)
    need('VEIL_OIDC_AUDIENCE', 'with VEIL_OIDC_ISSUER (the audience tokens are issued for)');
  if (c.VEIL_CONSOLE_CLIENT_ID !== undefined)
    need('VEIL_OIDC_ISSUER', 'with VEIL_CONSOLE_CLIENT_ID (the issuer the console signs in with)');
  if (c.VEIL_JWKS_URL !== undefined || c.VEIL_OIDC_AUDIENCE !== undefined)
    need('VEIL_OIDC_ISSUER', 'to verify tokens (the issuer their `iss` must name)');
  if (c.VEIL_KEK === 'env')
    need('VEIL_KEK_BASE64', 'with VEIL_KEK=env (a base64 32-byte key: openssl rand -base64 32)');
  if (c.VEIL_KEK === 'vault-transit') {
    need('VEIL_VAULT_ADDR', 'with VEIL_KEK=vault-transit');
    need('VEIL_VAULT_TOKEN', 'with VEIL_KEK=vault-transit');
    need('VEIL_VAULT_KEY', 'with VEIL_KEK=vault-transit (the Transit key name)');
  }
  if (c.VEIL_KEK === 'aws-kms') need('VEIL_KMS_KEY_ID', 'with VEIL_KEK=aws-kms (key id, ARN or alias)');
  if (c.VEIL_BLOBS === 's3')
    need('VEIL_S3_BUCKET', 'with VEIL_BLOBS=s3 (or name it: VEIL_BLOBS=s3://bucket/prefix)');
  const url = typeof c.VEIL_BLOBS === 'string' ? s3UrlParts(c.VEIL_BLOBS) : undefined;
  if (url !== undefined) {
    const refuse = (setting: SettingName, message: string): void =>
      context.addIssue({ code: 'custom', path: [setting], message });
    if (!BUCKET_NAME.test(url.bucket))
      refuse(
        'VEIL_BLOBS',
        'expected s3://bucket/prefix with an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)',
      );
    else if (url.prefix !== undefined && !KEY_PREFIX.test(url.prefix))
      refuse(
        'VEIL_BLOBS',
        "expected s3://bucket/prefix with a prefix of path segments of letters, digits and !-_.*'()",
      );
    for (const setting of ['VEIL_S3_BUCKET', 'VEIL_S3_PREFIX'] as const)
      if (c[setting] !== undefined)
        refuse(
          setting,
          'must not be set when VEIL_BLOBS names the bucket (s3://bucket/prefix); set one or the other',
        );
  }
  if (c.VEIL_BLOBS !== 's3' && url === undefined)
    for (const setting of ['VEIL_S3_BUCKET', 'VEIL_S3_PREFIX', 'VEIL_S3_REGION', 'VEIL_S3_ENDPOINT'] as const)
      if (c[setting] !== undefined)
        context.addIssue({
          code: 'custom',
          path: [setting],
          message: 'is set but VEIL_BLOBS is not s3: blobs would not go to S3; set VEIL_BLOBS=s3 or unset it',
        });
}

/** The settings the schema knows, in the order it lists them. */
export const SETTING_NAMES = Object.keys(configSchema.shape) as SettingName[];

/** True when a setting's value is never printed. */
export function isSecretSetting(name: SettingName): boolean {
  return secrets.has(configSchema.shape[name]);
}

/** A command-line flag standing for a setting; a flag given wins over the environment. */
export interface ConfigFlag {
  readonly setting: SettingName;
  /** The flag as typed (`--port`), for error messages. */
  readonly flag: string;
  /** The flag's value; undefined when the flag was not given. */
  readonly value: string | number | undefined;
}

/** Where an effective value came from. */
export type SettingSource = 'flag' | 'environment' | 'default';

/** {@link loadConfig}'s result. */
export interface LoadedConfig {
  readonly config: VeilConfig;
  /** Per setting, whether a flag, the environment or the default supplied it. */
  readonly sources: Readonly<Record<SettingName, SettingSource>>;
  /** `VEIL_*` variables the schema does not know, each with a hint; they are ignored. */
  readonly unknown: readonly string[];
}

/**
 * Known `VEIL_*` names read by the project's own tests, evaluation scripts and benchmarks, not by a
 * deployment: the evaluation data's directory, the golden-findings writer, the fault tests' job
 * count and the browser tests' Chromium. They are not warned about.
 */
const NOT_SETTINGS = new Set<string>([
  'VEIL_EVAL_DIR',
  'VEIL_GOLDEN_WRITE',
  'VEIL_FAULT_JOBS',
  'VEIL_CHROMIUM',
]);

/**
 * Validates the environment (`VEIL_*` and `DATABASE_URL`) and the flags given.
 *
 * @throws VeilError `VEIL_CONFIG_INVALID` naming the first bad setting and its flag; never its value.
 *
 * @example
 * ```ts
 * const { config, unknown } = loadConfig(process.env, [{ setting: 'VEIL_PORT', flag: '--port', value: flags.port }]);
 * for (const warning of unknown) logger.warn(warning);
 * config.VEIL_PORT; // 8080 unless set
 * ```
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: readonly ConfigFlag[] = [],
): LoadedConfig {
  const input: Partial<Record<SettingName, string>> = {};
  const sources = {} as Record<SettingName, SettingSource>;
  const known = new Set<string>(SETTING_NAMES);
  for (const name of SETTING_NAMES) {
    const value = env[name];
    sources[name] = 'default';
    // An empty variable is an unset one: `VEIL_PORT= veil serve` means "no override".
    if (value !== undefined && value.trim() !== '') {
      input[name] = value;
      sources[name] = 'environment';
    }
  }
  const flagOf = new Map<SettingName, string>();
  for (const { setting, flag, value } of flags) {
    flagOf.set(setting, flag);
    if (value === undefined) continue;
    input[setting] = String(value);
    sources[setting] = 'flag';
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? 'configuration') as SettingName;
    const flag = flagOf.get(setting);
    const named = flag === undefined ? setting : `${flag} (${setting})`;
    // Zod's messages here are the schema's own, which name ranges and choices, never the value.
    throw new VeilError(
      'VEIL_CONFIG_INVALID',
      `configuration: ${named}: ${issue?.message ?? 'invalid value'}`,
    );
  }
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('VEIL_') && !known.has(name) && !NOT_SETTINGS.has(name))
    .sort()
    .map((name) => {
      const near = closestName(name, SETTING_NAMES);
      return `${name} is not a Veil setting and is ignored${near === undefined ? '' : ` (did you mean ${near}?)`}`;
    });
  return { config: parsed.data, sources, unknown };
}

/** A connection string without its user and password. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  const hadCredentials = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  return hadCredentials ? parsed.toString().replace('//', '//***@') : parsed.toString();
}

function shown(name: SettingName, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (isSecretSetting(name))
    return name === 'DATABASE_URL' ? withoutCredentials(String(value)) : '(set, hidden)';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The effective configuration as `NAME=value  (source)` lines, for `veil config check`. Secret
 * values are never printed: a connection string loses its user, password and query.
 *
 * @example
 * ```ts
 * process.stdout.write(describeConfig(loadConfig(process.env)).join('\n'));
 * // VEIL_DATA_DIR=.veil  (default) …
 * ```
 */
export function describeConfig(loaded: LoadedConfig): string[] {
  const width = Math.max(...SETTING_NAMES.map((name) => name.length));
  return SETTING_NAMES.map(
    (name) => `${name.padEnd(width)}  ${shown(name, loaded.config[name])}  (${loaded.sources[name]})`,
  );
}
