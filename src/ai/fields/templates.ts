import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { VeilError } from '../../errors/veil-error.js';
import { packagePath } from '../../package-root.js';
import { canonicalHash } from '../../policy/hash.js';
import { describeIssue } from '../../policy/load.js';
import { fieldListSchema, FIELD_TYPES, templateSchema, type FieldSpec, type Template } from './spec.js';

/** The templates shipped with Veil (`policies/templates/` in the package root). */
export const BUILT_IN_TEMPLATES = packagePath('policies', 'templates/');

const MAX_TEMPLATE_BYTES = 256 * 1024;
const TEMPLATE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export interface TemplateSource {
  /** Extra template directories (a tenant's own), searched before the built-in ones, so a tenant may replace a template. */
  readonly directories?: readonly string[];
}

/** A path such as `fields.3.type` told as `field total (fields.3): type`, so the message names the field. */
function wherePath(path: readonly PropertyKey[], input: unknown): string {
  if (path[0] === 'fields' && typeof path[1] === 'number') {
    const fields = (input as { fields?: unknown[] } | null)?.fields;
    const name = (fields?.[path[1]] as { name?: unknown } | undefined)?.name;
    const rest = path.slice(2).map(String).join('.');
    const label =
      typeof name === 'string' && /^[\w-]{1,64}$/.test(name) ? `field ${name}` : `field ${path[1] + 1}`;
    return `${label} (fields.${path[1]})${rest ? `: ${rest}` : ''}`;
  }
  return path.map(String).join('.') || 'template';
}

/**
 * Validates a parsed template and computes its hash (SHA-256 of its canonical JSON, as policies
 * are hashed), so a job can record exactly which extraction rules it ran under.
 *
 * @example
 * ```ts
 * const t = validateTemplate({ name: 'toll', version: 1, fields: [{ name: 'total', type: 'money' }] }, 'toll');
 * t.hash; // 64 hex digits
 * ```
 */
export function validateTemplate(input: unknown, origin: string): Template {
  const result = templateSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0];
    const { path, message } = first ? describeIssue(first, input) : { path: [], message: 'invalid' };
    throw new VeilError('VEIL_TEMPLATE_INVALID', `template ${origin}: ${wherePath(path, input)}: ${message}`);
  }
  return { ...result.data, hash: canonicalHash(result.data) };
}

/**
 * Parses and validates a template written in YAML.
 *
 * @example
 * ```ts
 * parseTemplate('name: toll\nversion: 1\nfields:\n  - { name: total, type: money }\n', 'toll');
 * ```
 */
export function parseTemplate(source: string, origin: string): Template {
  let data: unknown;
  try {
    data = parse(source, { prettyErrors: false, maxAliasCount: 100 });
  } catch (error) {
    const line =
      error instanceof YAMLParseError ? ` at line ${source.slice(0, error.pos[0]).split('\n').length}` : '';
    throw new VeilError('VEIL_TEMPLATE_INVALID', `template ${origin}: not valid YAML${line}`, {
      cause: error,
    });
  }
  const template = validateTemplate(data, origin);
  if (template.name !== origin && TEMPLATE_NAME.test(origin))
    throw new VeilError(
      'VEIL_TEMPLATE_INVALID',
      `template ${origin}: name: expected ${origin}, the name of its file`,
    );
  return template;
}

function directoriesOf(source: TemplateSource): string[] {
  return [...(source.directories ?? []), BUILT_IN_TEMPLATES];
}

/**
 * The names of every template found, built-in and extra, sorted.
 *
 * @example
 * ```ts
 * await listTemplates(); // ['id_document', 'invoice', 'patient_intake', 'receipt']
 * ```
 */
export async function listTemplates(source: TemplateSource = {}): Promise<string[]> {
  const names = new Set<string>();
  for (const directory of directoriesOf(source)) {
    const entries = await readdir(directory).catch(() => [] as string[]);
    for (const entry of entries) {
      const name = entry.replace(/\.ya?ml$/, '');
      if (name !== entry && TEMPLATE_NAME.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * Loads a template by name from the extra directories, then the built-in ones, and validates it.
 * An invalid template is refused with VEIL_TEMPLATE_INVALID naming the field; an unknown name with
 * VEIL_TEMPLATE_NOT_FOUND listing the known ones.
 *
 * @example
 * ```ts
 * const receipt = await loadTemplate('receipt');
 * receipt.fields.map((f) => f.name); // ['company', 'address', 'date', 'total']
 * ```
 */
export async function loadTemplate(name: string, source: TemplateSource = {}): Promise<Template> {
  if (!TEMPLATE_NAME.test(name))
    throw new VeilError('VEIL_TEMPLATE_NOT_FOUND', 'template names are lower-case letters, digits, - and _');
  for (const directory of directoriesOf(source))
    for (const file of [`${name}.yaml`, `${name}.yml`]) {
      const text = await readFile(join(directory, file)).catch(() => undefined);
      if (text === undefined) continue;
      if (text.length > MAX_TEMPLATE_BYTES)
        throw new VeilError(
          'VEIL_TEMPLATE_INVALID',
          `template ${name}: the file is larger than ${MAX_TEMPLATE_BYTES} bytes`,
        );
      return parseTemplate(text.toString('utf8'), name);
    }
  const known = await listTemplates(source);
  throw new VeilError(
    'VEIL_TEMPLATE_NOT_FOUND',
    `no template named ${name}; known templates: ${known.join(', ') || 'none'}`,
  );
}

/**
 * Validates a list of field specs passed directly (a job's `fields`), naming the field at fault.
 *
 * @example
 * ```ts
 * validateFields([{ name: 'total', type: 'money', review_below: 0.9 }]);
 * ```
 */
export function validateFields(input: unknown): FieldSpec[] {
  const result = fieldListSchema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const { path, message } = first ? describeIssue(first, input) : { path: [], message: 'invalid' };
  const where = typeof path[0] === 'number' ? wherePath(['fields', ...path], { fields: input }) : 'fields';
  throw new VeilError('VEIL_FIELD_INVALID', `${where}: ${message}`);
}

/**
 * Parses the CLI's `--fields name:type,...` shorthand (`total:money,date:date`).
 *
 * @example
 * ```ts
 * parseFieldList('total:money,date:date'); // [{ name: 'total', type: 'money' }, { name: 'date', type: 'date' }]
 * ```
 */
export function parseFieldList(list: string): FieldSpec[] {
  const specs = list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, i) => {
      const [name, type, extra] = part.split(':').map((s) => s.trim());
      if (!name || !type || extra !== undefined)
        throw new VeilError(
          'VEIL_FIELD_INVALID',
          `field ${i + 1}: expected name:type, with a type from ${FIELD_TYPES.join(', ')}`,
        );
      return { name, type };
    });
  return validateFields(specs);
}
