import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import type { OperatorKeys } from '../../engine/anonymize/keys.js';
import type { AnonymizationPlan, AnonymizeContext } from '../../engine/anonymize/types.js';
import { VeilError } from '../../errors/veil-error.js';
import { defaultDataDir, withKeyring } from '../keyring.js';
import { sniffFileFormat } from '../io.js';
import { INPUT_FORMATS } from '../../pipeline/input-formats.js';
import type { InputFormat } from '../../pipeline/input-formats.js';
import type { Policy } from '../../policy/schema.js';
import { cli } from '../context.js';

const FORMATS = INPUT_FORMATS;
type Format = InputFormat;

interface RedactFlags {
  output: string;
  policy?: string;
  format?: Format;
  tenant: string;
  subject?: string;
  dataDir: string;
  searchable?: boolean;
}

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
  return value as Format;
}

/**
 * `veil redact FILE|- -o OUT [--policy FILE] [--format text|csv|json]`: anonymises a text, CSV or
 * JSON file by a policy and writes the result. The output file appears only when the whole input
 * was processed (it is written beside its target and renamed), so a failure never leaves half a
 * file. A one-line summary of counts goes to stderr; no value is ever printed.
 *
 * @example
 * ```ts
 * registerRedact(program); // veil redact notes.txt -o notes.redacted.txt --policy policy.yaml
 * ```
 */
export function registerRedact(program: Command): void {
  program
    .command('redact')
    .description(
      'anonymise a text, CSV or JSON file by a policy (default: policies/default.yaml); PDFs and images get boxes burned in, DOCX and e-mail leave as anonymised text',
    )
    .argument('[file]', 'the file to redact, or - for standard input', '-')
    .option('-o, --output <file>', 'where to write the result, or - for standard output', '-')
    .option('--policy <file>', 'the policy file (YAML, version 1)')
    .option(
      '--format <format>',
      'text, csv or json (default: from the file extension, else text)',
      parseFormat,
    )
    .option('--tenant <id>', 'the tenant whose keys keyed operators use', 'default')
    .option('--subject <id>', 'the data subject (date shifts are per subject)')
    .option(
      '--data-dir <dir>',
      'where the local key file and keyring live (keyed operators only)',
      defaultDataDir(),
    )
    .option(
      '--searchable',
      'PDF: re-add an invisible OCR text layer to rasterised pages, read from the redacted image',
    )
    .action(async (file: string, flags: RedactFlags) => {
      const { loadPolicy } = await import('../../policy/load.js');
      const { planFromPolicy } = await import('../../policy/plan.js');
      const { DEFAULT_POLICY_PATH } = await import('../../policy/shipped.js');
      const policy = await loadPolicy(flags.policy ?? DEFAULT_POLICY_PATH);
      const plan = planFromPolicy(policy);
      const context: AnonymizeContext = {
        tenant: flags.tenant,
        ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
        ...(await keysFor(policy, plan, flags)),
      };
      if (file !== '-' && flags.format === undefined && BINARY_DOCUMENTS.has(await sniffFileFormat(file)))
        return redactDocumentFile(file, flags.output, policy, {
          plan,
          context,
          searchable: flags.searchable === true,
        });
      const { redactInput } = await import('../../pipeline/redact-input.js');
      const format = flags.format ?? formatOf(file);
      const input = await openInput(file);
      const counts = await writeAtomically(flags.output, (output) =>
        redactInput(format, input, output, { policy, plan, context }),
      );
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const byType = Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `${type} ${n}`)
        .join(', ');
      cli().stderr.write(
        // Residual 0: every value the output still held was anonymised by a second pass, or the
        // command failed with VEIL_RESIDUAL_PII and wrote nothing.
        `redacted ${total} value${total === 1 ? '' : 's'}${total > 0 ? ` (${byType})` : ''}, residual 0\n`,
      );
    });
}

/** Formats redacted by the documents layer: pages rasterised with boxes burned in, or text out. */
const BINARY_DOCUMENTS = new Set(['pdf', 'image', 'docx', 'email', 'unsupported']);

/**
 * PDFs, images, DOCX and e-mail: true redaction with the residual check (the output is
 * re-extracted, OCR included, and detection re-run; anything left fails the command). Boxes are
 * burned into PDFs and images; DOCX and e-mail text goes through the policy's operators.
 */
async function redactDocumentFile(
  file: string,
  output: string,
  policy: Policy,
  how: { plan: AnonymizationPlan; context: AnonymizeContext; searchable: boolean },
): Promise<void> {
  const { closeDocumentResources, operatorRedaction, readDocumentFile, redactDocument, writeFileAtomic } =
    await import('../../documents/index.js');
  const { configureDocumentCommand } = await import('../settings.js');
  await configureDocumentCommand();
  const { analyzeOptionsFromPolicy } = await import('../../policy/plan.js');
  const { pageProgress } = await import('./extract.js');
  if (output === '-')
    throw new VeilError('VEIL_INVALID_OPTION', 'redact: a redacted document needs an output file (-o FILE)');
  const progress = await pageProgress();
  try {
    const redacted = await redactDocument(await readDocumentFile(file), {
      detection: analyzeOptionsFromPolicy(policy),
      redactText: operatorRedaction(how.plan, how.context),
      onProgress: progress.update,
      searchable: how.searchable,
    });
    await writeFileAtomic(output, redacted.bytes);
    const total = Object.values(redacted.counts).reduce((a, b) => a + b, 0);
    cli().stderr.write(
      `redacted ${total} value${total === 1 ? '' : 's'} (${redacted.mediaType}, residual ${redacted.residual})\n`,
    );
  } finally {
    progress.stop();
    await closeDocumentResources();
  }
}

function formatOf(file: string): Format {
  const ext = extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : 'text';
}

/** Loads the tenant's operator keys only when the policy uses a keyed operator. */
async function keysFor(
  policy: Policy,
  plan: AnonymizationPlan,
  flags: RedactFlags,
): Promise<{ keys?: OperatorKeys }> {
  const { operatorNeeds } = await import('../../pipeline/redact-input.js');
  const needs = operatorNeeds(policy, plan);
  // An in-memory vault would vanish with the process and leave tokens nobody can resolve.
  if (needs.has('vault'))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'redact: the tokenize operator needs a persistent token vault, which the CLI does not have yet; use encrypt or fpe',
    );
  if (!needs.has('keys')) return {};
  const { createOperatorKeys } = await import('../../crypto/operator-keys.js');
  // The keys are unwrapped up front, so the keyring's database can close before the work starts.
  return { keys: await withKeyring(flags.dataDir, (keyring) => createOperatorKeys(keyring, flags.tenant)) };
}

async function openInput(file: string): Promise<Readable> {
  if (file === '-') return cli().stdin;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'the input file does not exist or is not a regular file', {
      cause,
    });
  }
  return createReadStream(file);
}

/** Runs `write` against a temporary file beside `target` and renames it into place on success. */
async function writeAtomically<T>(target: string, write: (output: Writable) => Promise<T>): Promise<T> {
  if (target === '-') return write(cli().stdout);
  const dir = await mkdtemp(join(dirname(target), `.${basename(target)}.`)).catch((cause: unknown) => {
    throw new VeilError(
      'VEIL_FILE_NOT_FOUND',
      'redact: the output directory does not exist or is not writable',
      { cause },
    );
  });
  const temp = join(dir, 'out');
  try {
    const result = await write(createWriteStream(temp, { mode: 0o600 }));
    await rename(temp, target);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The policy's k_anonymity, as the CSV writer's option (absent when the policy requires none).
