import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { VeilError } from '../errors/veil-error.js';
import { policySchema, type Policy } from './schema.js';

const MAX_POLICY_BYTES = 1024 * 1024;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path)
    node =
      node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/**
 * A zod issue as a path and a plain message (`is required`, `unknown key`), for errors that name
 * the setting without echoing its value.
 *
 * @example
 * ```ts
 * describeIssue(result.error.issues[0], input); // { path: ['operators', 'US_SSN'], message: 'unknown key' }
 * ```
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys')
    return { path: [...issue.path, issue.keys[0] ?? ''], message: 'unknown key' };
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined)
    return { path: issue.path, message: 'is required' };
  // zod's own wording starts with "Invalid input: "; the schema sets plain messages where it matters.
  return { path: issue.path, message: issue.message.replace(/^Invalid input: /, '') };
}

/**
 * Validates a parsed policy object. Errors name the setting, for example
 * `policy.operators.US_SSN.keep_last: expected a number` (VEIL_POLICY_INVALID).
 *
 * @example
 * ```ts
 * const policy = validatePolicy({ version: 1, operators: { default: { operator: 'replace' } } });
 * ```
 */
export function validatePolicy(input: unknown): Policy {
  const result = policySchema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const { path, message } = first ? describeIssue(first, input) : { path: [], message: 'invalid' };
  throw new VeilError('VEIL_POLICY_INVALID', `${['policy', ...path.map(String)].join('.')}: ${message}`);
}

/**
 * Parses and validates a policy written in YAML (JSON is YAML too).
 *
 * @example
 * ```ts
 * parsePolicy('version: 1\noperators:\n  default: { operator: redact }\n');
 * ```
 */
export function parsePolicy(source: string): Policy {
  let data: unknown;
  try {
    data = parse(source, { prettyErrors: false, maxAliasCount: 100 });
  } catch (error) {
    let where = '';
    if (error instanceof YAMLParseError) {
      const before = source.slice(0, error.pos[0]);
      where = ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
    }
    const code = error instanceof YAMLParseError ? ` (${error.code})` : '';
    throw new VeilError('VEIL_POLICY_INVALID', `policy: not valid YAML${where}${code}`, { cause: error });
  }
  return validatePolicy(data);
}

/**
 * Reads, parses and validates a policy file.
 *
 * @example
 * ```ts
 * const policy = await loadPolicy('policies/default.yaml');
 * ```
 */
export async function loadPolicy(path: string): Promise<Policy> {
  let source: Buffer;
  try {
    source = await readFile(path);
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'policy: the policy file cannot be read', { cause });
  }
  if (source.length > MAX_POLICY_BYTES)
    throw new VeilError('VEIL_POLICY_INVALID', `policy: the file is larger than ${MAX_POLICY_BYTES} bytes`);
  return parsePolicy(source.toString('utf8'));
}
