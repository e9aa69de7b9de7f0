/**
 * The steps of a job as typed tasks. Each one first looks for its own recorded completion (an
 * artifact with the step's fixed id, or the job's status) and does its work only when it finds
 * none, so a step re-run after a crash resumes without writing its output twice. Content is
 * decrypted in memory only, and every output is stored encrypted.
 *
 * A step writes its rows (artifacts, counts, subject index, output class, status) in one
 * transaction, which also reads the job as the step leaves it: a step is recorded whole or not
 * at all. Its blobs are stored before that transaction and its keys read before it, so a
 * transaction never waits for a second pooled connection, and a crash leaves at most an orphan
 * ciphertext, never a row without its blob.
 */
import type { Kysely } from 'kysely';
import type { DatabaseTokenVault } from '../../store/token-vault.js';
import { createOperatorKeys } from '../../crypto/operator-keys.js';
import type { Keyring } from '../../crypto/keyring.js';
import { Readable, Writable } from 'node:stream';
import { operatorRedaction, redactDocument, sniffType } from '../../documents/index.js';
import { createAnalyzer } from '../../engine/analyze.js';
import type { AnalyzeOptions, Analyzer } from '../../engine/analyze.js';
import type { AnalyzeText } from '../../engine/chunked.js';
import { anonymizeVerified } from '../../engine/anonymize/index.js';
import type { AnonymizationPlan, AnonymizeContext } from '../../engine/anonymize/index.js';
import type { Finding } from '../../engine/types.js';
import { VeilError } from '../../errors/veil-error.js';
import { analyzeOptionsFromPolicy, planFromPolicy, retentionWindows } from '../../policy/index.js';
import { insertSubjectIndex, subjectIndexRows } from '../../privacy/dsr/subject-index.js';
import type { SubjectIndexRows } from '../../privacy/dsr/subject-index.js';
import { vaultSubjectOf } from '../../privacy/dsr/requests.js';
import {
  insertOutputClass,
  releasedInFields,
  releasedInRedacted,
  releasedInText,
} from '../../privacy/risk/outputs.js';
import type { ReleasedValue, RiskOutputKind } from '../../privacy/risk/outputs.js';
import { forTenant, withTenantScope } from '../../store/index.js';
import type { Artifact, Job, Schema, StoreContext, TenantRepositories } from '../../store/index.js';
import type { HeldWrites, JobCompletion } from './held-writes.js';
import { completeJobIn, transitionJob, transitionJobIn } from './records.js';
import type { JobPayload, JobStep } from './queues.js';
import { ARTIFACT, artifactId, decodeManifest, frameOutput, needsExtraction } from './request.js';
import type { ArtifactClass, JobManifest } from './request.js';
import { jobDocument, jobText } from './text.js';
import { operatorNeeds, redactInput } from '../redact-input.js';
import type { InputFormat } from '../input-formats.js';
import type { Policy } from '../../policy/index.js';
import { extractFields, requireExtractor } from '../../ai/fields/extract.js';
import type { Extractor } from '../../ai/fields/extractor.js';
import { createEgressGuard } from '../../ai/egress.js';
import type { EgressGuard } from '../../ai/egress.js';
import type { ModelProviderConfig } from '../../ai/model/config.js';
import { artifactExchangeStore } from '../../ai/model/exchanges.js';
import { configuredModelExtractor } from '../../ai/model/field-extractor.js';
import type { AiAudit } from '../../ai/model/provider.js';
import { checkModelUse } from './admission.js';
import type { Document } from '../../documents/model.js';
import type { JobText } from './text.js';
import type { AuditEventInput } from '../../audit/event.js';
import { reviewSettings } from '../../policy/index.js';
import { openReviewTasks } from '../review/open.js';
import type { RenderFieldCrop } from '../review/open.js';
import { ReviewTasks } from '../review/tasks.js';

/** What a step runs with. */
export interface StepEnv {
  readonly store: StoreContext;
  readonly payload: JobPayload;
  readonly job: Job;
  readonly repos: TenantRepositories;
  /**
   * The job's artifacts by id as the step found them when it started, read in the same
   * transaction as the job row: what a step looks up to find its own completion and its inputs.
   */
  readonly artifacts: ReadonlyMap<string, Artifact>;
  /**
   * A fused run's writes held until its end ({@link HeldWrites}): while it holds, a step's
   * writes go there, and its outputs are read from there, instead of the store.
   */
  readonly held?: HeldWrites;
}

/** A job row and its artifacts, read together (`jobs.getWithArtifacts`). */
export interface JobSnapshot {
  readonly job: Job;
  readonly artifacts: readonly Artifact[];
  /** Its retention ledger's classes, when the read asked for them (a fused run's opening read). */
  readonly ledgerClasses?: readonly string[];
}

/** How a step's run ended. */
export interface StepOutcome {
  /** The step that follows, or null at the end. */
  readonly next: JobStep | null;
  /**
   * The job and its artifacts as read at the end of the transaction that wrote the step's rows
   * (null: the job was gone by then); absent when the step found its work done and wrote nothing.
   */
  readonly after?: JobSnapshot | null;
}

/** One step of a job. */
export interface JobTask {
  readonly step: JobStep;
  /** Runs the step (or finds it done) and names the step that follows. */
  run(env: StepEnv): Promise<StepOutcome>;
}

/** What the steps share: keys for keyed operators, a token vault, and cached analyzers. */
export interface StepServices {
  readonly keyring: Keyring;
  /** For the tokenize operator; without it, a policy that tokenizes fails the job. */
  readonly vault?: DatabaseTokenVault;
  /** Renders review crops; without it, review tasks carry no image. */
  readonly renderCrop?: RenderFieldCrop;
  /**
   * Records an event in the tenant's audit log (`review.task.created`); without it, tasks are
   * made but their creation is recorded by the next run that has one.
   */
  readonly audit?: (tenantId: string, event: AuditEventInput) => Promise<unknown>;
  /** The AI provider of the `model` and `auto` extractors; without it, those fail the job. */
  readonly model?: JobModelServices;
  /**
   * Builds the analyzer of a policy's detection options (default `createAnalyzer`); built once
   * per policy and process, and the only analyzer the detect and anonymise steps run.
   */
  readonly createAnalyzer?: (options: AnalyzeOptions) => Analyzer;
  /**
   * Detection off the event loop (the service's detection pool): when given, the detect step
   * analyses the job's text there with the policy's detection options, and the anonymise step's
   * residual check its output, so several jobs use several cores. Layout-bearing documents'
   * residual checks stay in process.
   */
  readonly analyzeText?: AnalyzeText;
}

/** What the extract step needs to ask a model. */
export interface JobModelServices {
  /** The provider (`VEIL_AI_*`). */
  readonly config: ModelProviderConfig;
  /** The sink of a job's `ai.request` and `ai.egress_blocked` events (its tenant's audit log). */
  readonly audit?: (job: JobPayload) => AiAudit;
}

/** The job's text, and its parsed document when fields are to be extracted from it. */
type ParsedArtifact = JobText & { readonly document?: Document };

/**
 * Whether the parse step reads the whole document: no page or region scope. Only then do the
 * stored layout and findings describe every page the redacted output is made from.
 */
const readsWhole = (manifest: JobManifest): boolean =>
  manifest.extraction === undefined ||
  (manifest.extraction.pages === null && manifest.extraction.regions === null);

/**
 * Whether the job extracts fields, the only work that opens review tasks (`openReviewTasks` in
 * the extract step): a job that does not can have none to wait for.
 */
const extractsFields = (manifest: JobManifest): boolean =>
  manifest.outputs.includes('fields') && manifest.extraction !== undefined;

/** Whether the job's outputs need the extract step. */
const extracts = (manifest: JobManifest): boolean => needsExtraction(manifest.outputs);

/** An output's class as `insertOutputClass` writes it. */
type OutputClassRecord = Parameters<typeof insertOutputClass>[1];

interface FindingsArtifact {
  readonly version: 1;
  readonly findings: readonly Finding[];
}

const valuesOf = (text: string, findings: readonly Finding[]) =>
  findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));

function has(env: StepEnv, artifactClass: ArtifactClass): boolean {
  return (
    env.artifacts.has(artifactId(env.payload.jobId, artifactClass)) ||
    env.held?.content(artifactClass) !== undefined
  );
}

/** An artifact's content, or undefined when the job had none of that class when the step began. */
async function readIfPresent(env: StepEnv, artifactClass: ArtifactClass): Promise<Buffer | undefined> {
  const held = env.held?.content(artifactClass);
  if (held !== undefined) return Buffer.from(held.buffer, held.byteOffset, held.byteLength);
  const artifact = env.artifacts.get(artifactId(env.payload.jobId, artifactClass));
  return artifact === undefined ? undefined : env.repos.artifacts.readStored(artifact);
}

async function readArtifact(env: StepEnv, artifactClass: ArtifactClass): Promise<Buffer> {
  const content = await readIfPresent(env, artifactClass);
  if (content === undefined)
    throw new VeilError('VEIL_JOB_INTEGRITY', `jobs: the job's ${artifactClass} artifact is missing`);
  return content;
}

/** What a step records when it ends, in one transaction. */
interface StepWrites {
  /** Outputs under the step's fixed ids: blobs stored first, rows in the transaction. */
  readonly outputs?: ReadonlyArray<{ readonly artifactClass: ArtifactClass; readonly content: Uint8Array }>;
  /** Artifacts the step deletes: blobs first (as `deleteStored`), rows in the transaction. */
  readonly removes?: readonly Artifact[];
  /** The step's other rows, written with the caller's transaction only (no other connection). */
  readonly rows?: (trx: Kysely<Schema>) => Promise<unknown>;
  /** The step moves the job from `queued` to `running` (a held run's commit does it first). */
  readonly claims?: true;
  /** Findings per entity type, for the job's row (a held run writes them with its claim). */
  readonly counts?: Readonly<Record<string, number>>;
  /** The job ends `succeeded` ({@link completeJobIn}; a held run writes it with its claim). */
  readonly completes?: JobCompletion;
}

/**
 * Records a step: its blobs, then one transaction with its rows and the read of the job it
 * leaves. An output another run of the step stored first keeps that run's row; this run's blob
 * of it is deleted after the commit.
 */
async function commitStep(env: StepEnv, next: JobStep | null, writes: StepWrites): Promise<StepOutcome> {
  const { payload, repos, store } = env;
  if (env.held?.holding === true) {
    // A held run stored nothing before its end, so it has nothing of its own to remove.
    if ((writes.removes ?? []).length > 0)
      throw new VeilError('VEIL_INTERNAL', 'jobs: a held run has no stored artifact to remove');
    const after = env.held.hold(
      {
        outputs: writes.outputs ?? [],
        ...(writes.rows === undefined ? {} : { rows: writes.rows }),
        ...(writes.claims === true ? { becomes: 'running' as const } : {}),
        ...(writes.counts === undefined ? {} : { counts: writes.counts }),
        ...(writes.completes === undefined ? {} : { completes: writes.completes }),
      },
      [...env.artifacts.values()],
    );
    return { next, after };
  }
  const claims = writes.claims === true;
  const staged = await repos.artifacts.stage(
    (writes.outputs ?? []).map(({ artifactClass, content }) => ({
      input: {
        id: artifactId(payload.jobId, artifactClass),
        jobId: payload.jobId,
        artifactClass,
        deleteAfter: env.job.deleteAfter,
      },
      content,
    })),
  );
  const removes = writes.removes ?? [];
  let committing = false;
  let settled: { after: JobSnapshot | undefined; unused: typeof staged };
  try {
    // A crash between a blob's deletion and its row's leaves a row that the next run deletes again.
    for (const a of removes)
      await store.blobs.delete({
        tenantId: payload.tenantId,
        artifactClass: a.artifactClass,
        name: a.blobName,
      });
    settled = await withTenantScope(store.db, payload.tenantId, async (trx) => {
      await repos.artifacts.deleteRowsIn(
        trx,
        removes.map((a) => a.id),
      );
      if (claims) await transitionJobIn(trx, payload, ['queued'], 'running');
      await writes.rows?.(trx);
      if (writes.counts !== undefined)
        await repos.jobs.updateIn(trx, payload.jobId, { countsByType: writes.counts });
      if (writes.completes !== undefined)
        await completeJobIn(trx, payload, writes.completes.windows, writes.completes.from);
      const { unused } = await repos.artifacts.insertStagedOnce(trx, staged);
      const after = await repos.jobs.getWithArtifactsIn(trx, payload.jobId);
      committing = true;
      return { after, unused };
    });
  } catch (error) {
    // Not when the commit itself failed: it may have landed, and its rows would lose their blobs.
    if (!committing) await repos.artifacts.discard(staged);
    throw error;
  }
  await repos.artifacts.discard(settled.unused);
  return { next, after: settled.after ?? null };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function parseJson<T>(bytes: Buffer): T {
  return JSON.parse(bytes.toString('utf8')) as T;
}

function countByType(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return counts;
}

/**
 * The five tasks of a job, sharing one analyzer cache (building an analyzer compiles every
 * recognizer, so it is done once per policy, not once per job).
 *
 * @example
 * ```ts
 * const tasks = createJobTasks({ keyring });
 * const next = await tasks.parse.run(env); // 'detect'
 * ```
 */
export function createJobTasks(services: StepServices): Readonly<Record<JobStep, JobTask>> {
  // A job's manifest is written once, before its first step, under a fixed id; each step needs
  // it, so it is decrypted once per job and process. It holds the request and the policy, never
  // document content. The key carries the job's creation time and policy hash, so a job deleted
  // and submitted again under the same id is read afresh.
  const manifests = new Map<string, JobManifest>();
  const manifestKey = (env: StepEnv): string =>
    `${env.payload.tenantId}\0${env.payload.jobId}\0${env.job.createdAt.getTime()}\0${env.job.policyHash}`;
  const manifestOf = async (env: StepEnv): Promise<JobManifest> => {
    const key = manifestKey(env);
    let manifest = manifests.get(key);
    if (manifest === undefined) {
      manifest = decodeManifest(await readArtifact(env, ARTIFACT.manifest), env.job.policyHash);
      if (manifests.size >= 1024) manifests.delete(manifests.keys().next().value!);
      manifests.set(key, manifest);
    }
    return manifest;
  };

  const analyzers = new Map<string, Analyzer>();
  const analyzerFor = (hash: string, manifest: JobManifest): Analyzer => {
    let analyzer = analyzers.get(hash);
    if (analyzer === undefined) {
      analyzer = (services.createAnalyzer ?? createAnalyzer)(analyzeOptionsFromPolicy(manifest.policy));
      if (analyzers.size >= 16) analyzers.delete(analyzers.keys().next().value!);
      analyzers.set(hash, analyzer);
    }
    return analyzer;
  };

  const contextFor = async (
    env: StepEnv,
    policy: Policy,
    plan: AnonymizationPlan,
  ): Promise<AnonymizeContext> => {
    const needs = operatorNeeds(policy, plan);
    return {
      tenant: env.payload.tenantId,
      // Tokens and tags are scoped to the job: the same value in two jobs gets unrelated tokens.
      scope: env.payload.jobId,
      ...(needs.has('keys')
        ? { keys: await createOperatorKeys(services.keyring, env.payload.tenantId) }
        : {}),
      // One vault subject per job: erasing the job's data subject destroys exactly its tokens' key.
      ...(needs.has('vault') && services.vault !== undefined
        ? { vault: services.vault, subject: vaultSubjectOf(env.payload.jobId) }
        : {}),
    };
  };

  const intake: JobTask = {
    step: 'intake',
    async run(env) {
      if (env.job.status !== 'queued') return { next: 'parse' };
      // Checks the request before any work: the policy must be the one the row names.
      const manifest = await manifestOf(env);
      if (!has(env, ARTIFACT.original))
        throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the job has no original document');
      // Extraction may open review tasks, whose rows and counts are read in transactions of
      // their own: such a job records each step as it goes.
      if (env.held?.holding === true && extracts(manifest)) env.held.release();
      return commitStep(env, 'parse', { claims: true });
    },
  };

  const parse: JobTask = {
    step: 'parse',
    async run(env) {
      if (has(env, ARTIFACT.parsed) || has(env, ARTIFACT.findings)) return { next: 'detect' };
      const manifest = await manifestOf(env);
      const bytes = await readArtifact(env, ARTIFACT.original);
      // With an extraction, only its pages and regions are read, and the layout is kept (until
      // the job finishes) for the extract step. A layout-bearing document read whole keeps its
      // layout for the anonymise step too, which redacts it from the detect step's findings
      // rather than parsing (and OCR-ing) and detecting it a second time. Otherwise only the text.
      const keepLayout =
        (manifest.extraction !== undefined && extracts(manifest)) ||
        (manifest.outputs.includes('redacted') && readsWhole(manifest));
      const scope = manifest.extraction;
      const read = keepLayout
        ? await jobDocument(bytes, manifest.mediaType, scope)
        : await jobText(bytes, manifest.mediaType, scope);
      // The text route's document is its lines again: the anonymise step does not need it.
      const parsed: ParsedArtifact =
        read.route === 'text' && !(manifest.extraction !== undefined && extracts(manifest))
          ? { route: read.route, text: read.text }
          : read;
      return commitStep(env, 'detect', {
        outputs: [{ artifactClass: ARTIFACT.parsed, content: json(parsed) }],
      });
    },
  };

  const detect: JobTask = {
    step: 'detect',
    async run(env) {
      const { jobId } = env.payload;
      const manifest = await manifestOf(env);
      const stored = await readIfPresent(env, ARTIFACT.findings);
      let findings: readonly Finding[];
      let index: SubjectIndexRows | undefined;
      if (stored !== undefined) {
        findings = parseJson<FindingsArtifact>(stored).findings;
      } else {
        const parsed = parseJson<ParsedArtifact>(await readArtifact(env, ARTIFACT.parsed));
        const found =
          services.analyzeText === undefined
            ? analyzerFor(env.job.policyHash, manifest)(parsed.text)
            : await services.analyzeText(parsed.text, analyzeOptionsFromPolicy(manifest.policy));
        // Spans only (type, offsets, score, recognizer): the values stay in the encrypted text.
        findings = found.map((f) => ({
          type: f.type,
          start: f.start,
          end: f.end,
          score: f.score,
          recognizer: f.recognizer,
        }));
        // Keyed HMACs of the direct identifiers, for data-subject requests: written with the
        // findings, so a step that stored its findings has indexed them.
        index = await subjectIndexRows(
          services.keyring,
          env.payload.tenantId,
          jobId,
          findings.map((f) => ({ type: f.type, value: parsed.text.slice(f.start, f.end) })),
        );
      }
      const counts = countByType(findings);
      const indexed = index;
      const next = manifest.outputs.includes('redacted')
        ? 'anonymise'
        : extracts(manifest)
          ? 'extract'
          : 'finalise';
      return commitStep(env, next, {
        outputs:
          stored === undefined
            ? [
                {
                  artifactClass: ARTIFACT.findings,
                  content: json({ version: 1, findings } satisfies FindingsArtifact),
                },
              ]
            : [],
        ...(indexed === undefined ? {} : { rows: (trx: Kysely<Schema>) => insertSubjectIndex(trx, indexed) }),
        counts,
      });
    },
  };

  /** Documents redacted field by field through {@link redactInput}, as `veil redact` does. */
  const STRUCTURED: Partial<Record<string, { format: InputFormat; mediaType: string }>> = {
    csv: { format: 'csv', mediaType: 'text/csv' },
    json: { format: 'json', mediaType: 'application/json' },
  };

  const anonymise: JobTask = {
    step: 'anonymise',
    async run(env) {
      const manifest = await manifestOf(env);
      const next = extracts(manifest) ? 'extract' : 'finalise';
      if (has(env, ARTIFACT.redacted)) return { next };
      const parsed = parseJson<ParsedArtifact>(await readArtifact(env, ARTIFACT.parsed));
      const { findings } = parseJson<FindingsArtifact>(await readArtifact(env, ARTIFACT.findings));
      let output: Buffer;
      if (parsed.route === 'text') {
        const plan = planFromPolicy(manifest.policy);
        // The residual check is a second detection, of the output: on the detection threads too
        // when the service has them, so an inline or embedded job's event loop does not run it.
        const analyzeText = services.analyzeText;
        const analyze =
          analyzeText === undefined
            ? analyzerFor(env.job.policyHash, manifest)
            : (output: string) => analyzeText(output, analyzeOptionsFromPolicy(manifest.policy));
        const done = await anonymizeVerified(
          parsed.text,
          analyze,
          plan,
          await contextFor(env, manifest.policy, plan),
          findings,
        );
        output = frameOutput('text/plain', Buffer.from(done.text, 'utf8'));
      } else {
        // Layout-bearing formats are redacted in place (boxes burned into PDFs and images) and
        // the result re-extracted and re-checked by the documents layer.
        // DOCX and e-mail leave as text, anonymised by the policy's operators like the text route.
        // The detect step's findings are reused when the stored layout is the whole document,
        // so the document is parsed and detected once; only the residual check detects again
        // (on the output).
        const original = await readArtifact(env, ARTIFACT.original);
        const plan = planFromPolicy(manifest.policy);
        const context = await contextFor(env, manifest.policy, plan);
        const structured = STRUCTURED[(await sniffType(original)).format];
        if (structured !== undefined) {
          // CSV and JSON by the policy's `fields:` rules, exactly as `veil redact` does them.
          const chunks: Buffer[] = [];
          const sink = new Writable({
            write(chunk: Buffer | string, _encoding, done) {
              chunks.push(Buffer.from(chunk));
              done();
            },
          });
          await redactInput(structured.format, Readable.from([original]), sink, {
            policy: manifest.policy,
            plan,
            context,
          });
          output = frameOutput(structured.mediaType, Buffer.concat(chunks));
        } else {
          const prepared =
            parsed.document !== undefined && readsWhole(manifest)
              ? { document: parsed.document, findings }
              : undefined;
          const redacted = await redactDocument(original, {
            detection: analyzeOptionsFromPolicy(manifest.policy),
            analyze: analyzerFor(env.job.policyHash, manifest),
            ...(prepared === undefined ? {} : { prepared }),
            redactText: operatorRedaction(plan, context),
          });
          output = frameOutput(redacted.mediaType, Buffer.from(redacted.bytes));
        }
      }
      const released = releasedInRedacted(valuesOf(parsed.text, findings), planFromPolicy(manifest.policy));
      const record = await outputClassOf(env, 'redacted', released);
      return commitStep(env, next, {
        outputs: [{ artifactClass: ARTIFACT.redacted, content: output }],
        rows: (trx) => insertOutputClass(trx, record),
      });
    },
  };

  // Compiled on the first job that asks a model, then shared: the guard and the pseudonymiser
  // run every entity type, whatever a job's policy detects, so the model sees the least.
  let modelAnalyzer: { analyze: Analyzer; egress: EgressGuard } | undefined;
  /** The job's model extractor, after the gate has been asked again under the job's own consent and policy. */
  const modelExtractorFor = (env: StepEnv, manifest: JobManifest): Extractor => {
    const model = services.model;
    requireExtractor(manifest.extraction!.extractor, model !== undefined);
    // The region the job was admitted in (`VEIL_REGION` then): where its data must stay.
    checkModelUse(manifest.policy, env.job.purpose, env.job.region ?? undefined, {
      allowModelUse: env.job.consent.allowModelUse === true,
      providerRegion: model!.config.region,
    });
    if (modelAnalyzer === undefined) {
      const analyze = createAnalyzer();
      modelAnalyzer = { analyze, egress: createEgressGuard({ analyze }) };
    }
    // Kept only when the policy keeps model exchanges at all (`model_exchanges`, default 0s).
    const keepMs = retentionWindows(manifest.policy, manifest.retentionDays).model_exchanges;
    const exchanges =
      keepMs > 0
        ? artifactExchangeStore(env.repos.artifacts, {
            jobId: env.payload.jobId,
            deleteAfter: new Date(Date.now() + keepMs),
          })
        : undefined;
    return configuredModelExtractor(model!.config, {
      ...modelAnalyzer,
      ...(model!.audit ? { audit: model!.audit(env.payload) } : {}),
      allowModelTraining: env.job.consent.allowModelTraining,
      exchanges,
    });
  };

  const extract: JobTask = {
    step: 'extract',
    async run(env) {
      const manifest = await manifestOf(env);
      const wantFields = extractsFields(manifest);
      const wantText = manifest.outputs.includes('text') && manifest.allowFullText === true;
      const missingFields = wantFields && !has(env, ARTIFACT.fields);
      const missingText = wantText && !has(env, ARTIFACT.text);
      if (!missingFields && !missingText) return { next: 'finalise' };
      const parsed = parseJson<ParsedArtifact>(await readArtifact(env, ARTIFACT.parsed));
      const outputs: Array<{ artifactClass: ArtifactClass; content: Buffer }> = [];
      const classes: OutputClassRecord[] = [];
      if (missingFields) {
        const { template, fields, extractor } = manifest.extraction!;
        const document = parsed.document;
        if (!document)
          throw new VeilError('VEIL_JOB_INTEGRITY', "jobs: the job's parsed document is missing");
        // A template's identity (name, version, hash) with the fields the job asked for of it.
        const extracted = await extractFields(
          document,
          template ? { ...template, fields: [...fields] } : fields,
          {
            extractor,
            reviewBelow: reviewSettings(manifest.policy).below,
            ...(extractor === 'rules' ? {} : { model: modelExtractorFor(env, manifest) }),
          },
        );
        // Uncertain fields become review tasks (with consent) or `unverified` (without).
        const result = await openReviewTasks({
          store: env.store,
          keyring: services.keyring,
          repos: env.repos,
          job: env.job,
          policy: manifest.policy,
          specs: fields,
          template: template?.name ?? null,
          result: extracted,
          document,
          original: async () => ({
            bytes: await readArtifact(env, ARTIFACT.original),
            mediaType: document.mediaType,
          }),
          findings: async () =>
            parseJson<FindingsArtifact>(await readArtifact(env, ARTIFACT.findings)).findings,
          renderCrop: services.renderCrop,
        });
        await recordCreatedTasks(env);
        classes.push(await outputClassOf(env, 'fields', releasedInFields(result)));
        outputs.push({ artifactClass: ARTIFACT.fields, content: json(result) });
      }
      if (missingText) {
        const { findings } = parseJson<FindingsArtifact>(await readArtifact(env, ARTIFACT.findings));
        classes.push(await outputClassOf(env, 'text', releasedInText(valuesOf(parsed.text, findings))));
        outputs.push({ artifactClass: ARTIFACT.text, content: json({ text: parsed.text }) });
      }
      return commitStep(env, 'finalise', {
        outputs,
        rows: async (trx) => {
          for (const record of classes) await insertOutputClass(trx, record);
        },
      });
    },
  };

  // The `review.task.created` events of tasks whose creation no run has recorded yet; each task
  // is marked once its event is in the log, so a crash in between records it again, never twice
  // over a completed mark.
  const recordCreatedTasks = async (env: StepEnv): Promise<void> => {
    if (services.audit === undefined) return;
    const tasks = new ReviewTasks(env.store.db, services.keyring, env.payload.tenantId);
    for (const task of await tasks.unaudited(env.payload.jobId)) {
      await services.audit(env.payload.tenantId, {
        time: new Date().toISOString(),
        actor: { id: 'veil-worker', role: 'system' },
        tenant: env.payload.tenantId,
        action: 'review.task.created',
        objects: [
          { kind: 'job', id: env.payload.jobId },
          { kind: 'task', id: task.id },
        ],
        purpose: env.job.purpose,
        ...(/^[0-9a-f]{64}$/.test(env.job.policyHash) ? { policy_hash: env.job.policyHash } : {}),
        field: { name: task.field.name, type: task.field.type },
        code: task.reason,
      });
      await tasks.markAudited(task.id);
    }
  };

  // The equivalence class of an output (a keyed HMAC of the identifying values it hands out), for
  // its re-identification risk once released; the key is read before the step's transaction.
  const outputClassOf = async (
    env: StepEnv,
    kind: RiskOutputKind,
    released: readonly ReleasedValue[],
  ): Promise<OutputClassRecord> => ({
    tenant: env.payload.tenantId,
    jobId: env.payload.jobId,
    kind,
    dataKey: await services.keyring.currentKey(env.payload.tenantId),
    released,
  });

  const finalise: JobTask = {
    step: 'finalise',
    async run(env) {
      let windows: ReturnType<typeof retentionWindows> | undefined;
      if (env.job.status === 'running') {
        const manifest = await manifestOf(env);
        const tasks = new ReviewTasks(env.store.db, services.keyring, env.payload.tenantId);
        // Open tasks hold the job until a person decides them or they expire; a decision made
        // while this step ran is caught by counting again after the move. A job that extracts no
        // fields has no tasks, and is not counted.
        const waits =
          extractsFields(manifest) &&
          (await tasks.openCount(env.payload.jobId)) > 0 &&
          (await transitionJob(env.store.db, env.payload, ['running'], 'awaiting_review')) &&
          (await tasks.openCount(env.payload.jobId)) > 0;
        if (!waits) windows = retentionWindows(manifest.policy, manifest.retentionDays);
      }
      // The parsed text goes with the status: a finished job keeps no copy of its plain text.
      const parsed = env.artifacts.get(artifactId(env.payload.jobId, ARTIFACT.parsed));
      manifests.delete(manifestKey(env));
      if (windows === undefined && parsed === undefined) return { next: null };
      const done = windows;
      return commitStep(env, null, {
        removes: parsed === undefined ? [] : [parsed],
        ...(done === undefined
          ? {}
          : {
              completes: { windows: done, from: ['running', 'awaiting_review'] },
            }),
      });
    },
  };

  return { intake, parse, detect, anonymise, extract, finalise };
}

/**
 * The job and its artifacts as a step finds them (one transaction), or undefined when the job is
 * gone.
 *
 * @example
 * ```ts
 * const found = await jobSnapshot(store, payload);
 * ```
 */
export function jobSnapshot(store: StoreContext, payload: JobPayload): Promise<JobSnapshot | undefined> {
  return forTenant(store, payload.tenantId).jobs.getWithArtifacts(payload.jobId);
}

/**
 * The environment of a step for a queue message, or undefined when the job is gone, failed or
 * cancelled (the message is then acknowledged and nothing runs). `found` is the job as read
 * just before (the previous step's closing read, in a fused run); absent, it is read here.
 *
 * @example
 * ```ts
 * const env = await stepEnv(store, payload, 'parse');
 * if (env !== undefined) await tasks.parse.run(env);
 * ```
 */
export async function stepEnv(
  store: StoreContext,
  payload: JobPayload,
  step: JobStep,
  found?: JobSnapshot,
  held?: HeldWrites,
): Promise<StepEnv | undefined> {
  const repos = forTenant(store, payload.tenantId);
  const snapshot = found ?? (await repos.jobs.getWithArtifacts(payload.jobId));
  if (snapshot === undefined) return undefined;
  const { job } = snapshot;
  const runnable =
    step === 'intake'
      ? job.status === 'queued' || job.status === 'running'
      : step === 'finalise'
        ? job.status === 'running' || job.status === 'awaiting_review' || job.status === 'succeeded'
        : job.status === 'running';
  return runnable
    ? {
        store,
        payload,
        job,
        repos,
        artifacts: new Map(snapshot.artifacts.map((a) => [a.id, a])),
        ...(held === undefined ? {} : { held }),
      }
    : undefined;
}
