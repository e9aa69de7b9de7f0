/**
 * The steps of a job as typed tasks. Each one first looks for its own recorded completion (an
 * artifact with the step's fixed id, or the job's status) and does its work only when it finds
 * none, so a step re-run after a crash resumes without writing its output twice. Content is
 * decrypted in memory only, and every output is stored encrypted.
 */
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
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import { analyzeOptionsFromPolicy, planFromPolicy, retentionWindows } from '../../policy/index.js';
import { indexSubjects } from '../../privacy/dsr/subject-index.js';
import { vaultSubjectOf } from '../../privacy/dsr/requests.js';
import {
  recordOutputClass,
  releasedInFields,
  releasedInRedacted,
  releasedInText,
} from '../../privacy/risk/outputs.js';
import type { ReleasedValue, RiskOutputKind } from '../../privacy/risk/outputs.js';
import { forTenant } from '../../store/index.js';
import type { Artifact, Job, StoreContext, TenantRepositories } from '../../store/index.js';
import { completeJob, transitionJob } from './records.js';
import type { JobPayload, JobStep } from './queues.js';
import { ARTIFACT, artifactId, decodeManifest, frameOutput } from './request.js';
import type { ArtifactClass, JobManifest } from './request.js';
import { jobDocument, jobText } from './text.js';
import { operatorNeeds, redactInput } from '../redact-input.js';
import type { InputFormat } from '../redact-input.js';
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
}

/** A job row and its artifacts, read together (`jobs.getWithArtifacts`). */
export interface JobSnapshot {
  readonly job: Job;
  readonly artifacts: readonly Artifact[];
}

/** One step of a job. */
export interface JobTask {
  readonly step: JobStep;
  /** Runs the step (or finds it done) and names the step that follows, or null at the end. */
  run(env: StepEnv): Promise<JobStep | null>;
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
   * analyses the job's text there with the policy's detection options, so several jobs use
   * several cores; the anonymise step's residual check stays in process.
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
const extracts = (manifest: JobManifest): boolean =>
  manifest.outputs.includes('fields') || manifest.outputs.includes('text');

interface FindingsArtifact {
  readonly version: 1;
  readonly findings: readonly Finding[];
}

const valuesOf = (text: string, findings: readonly Finding[]) =>
  findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));

function has(env: StepEnv, artifactClass: ArtifactClass): boolean {
  return env.artifacts.has(artifactId(env.payload.jobId, artifactClass));
}

/** An artifact's content, or undefined when the job had none of that class when the step began. */
async function readIfPresent(env: StepEnv, artifactClass: ArtifactClass): Promise<Buffer | undefined> {
  const artifact = env.artifacts.get(artifactId(env.payload.jobId, artifactClass));
  return artifact === undefined ? undefined : env.repos.artifacts.readStored(artifact);
}

async function readArtifact(env: StepEnv, artifactClass: ArtifactClass): Promise<Buffer> {
  const content = await readIfPresent(env, artifactClass);
  if (content === undefined)
    throw new VeilError('VEIL_JOB_INTEGRITY', `jobs: the job's ${artifactClass} artifact is missing`);
  return content;
}

/** Stores a step's output under its fixed id; a concurrent run that stored it first wins. */
async function putOnce(env: StepEnv, artifactClass: ArtifactClass, content: Uint8Array): Promise<void> {
  try {
    await env.repos.artifacts.put(
      {
        id: artifactId(env.payload.jobId, artifactClass),
        jobId: env.payload.jobId,
        artifactClass,
        deleteAfter: env.job.deleteAfter,
      },
      content,
    );
  } catch (error) {
    if (isVeilError(error) && error.code === 'VEIL_CONFLICT') return;
    throw error;
  }
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
      if (env.job.status === 'queued') {
        // Checks the request before any work: the policy must be the one the row names.
        await manifestOf(env);
        if (!has(env, ARTIFACT.original))
          throw new VeilError('VEIL_JOB_INTEGRITY', 'jobs: the job has no original document');
        await transitionJob(env.store.db, env.payload, ['queued'], 'running');
      }
      return 'parse';
    },
  };

  const parse: JobTask = {
    step: 'parse',
    async run(env) {
      if (!has(env, ARTIFACT.parsed) && !has(env, ARTIFACT.findings)) {
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
        await putOnce(env, ARTIFACT.parsed, json(parsed));
      }
      return 'detect';
    },
  };

  const detect: JobTask = {
    step: 'detect',
    async run(env) {
      const { jobId } = env.payload;
      const manifest = await manifestOf(env);
      const stored = await readIfPresent(env, ARTIFACT.findings);
      let findings: readonly Finding[];
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
        // Before the findings are stored, so a re-run after a crash indexes again (idempotently):
        // keyed HMACs of the direct identifiers, for data-subject requests.
        await indexSubjects(
          { db: env.store.db, keyring: services.keyring },
          env.payload.tenantId,
          jobId,
          findings.map((f) => ({ type: f.type, value: parsed.text.slice(f.start, f.end) })),
        );
        await putOnce(env, ARTIFACT.findings, json({ version: 1, findings } satisfies FindingsArtifact));
      }
      await env.repos.jobs.update(jobId, { countsByType: countByType(findings) });
      return manifest.outputs.includes('redacted')
        ? 'anonymise'
        : extracts(manifest)
          ? 'extract'
          : 'finalise';
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
      if (!has(env, ARTIFACT.redacted)) {
        const manifest = await manifestOf(env);
        const parsed = parseJson<ParsedArtifact>(await readArtifact(env, ARTIFACT.parsed));
        const { findings } = parseJson<FindingsArtifact>(await readArtifact(env, ARTIFACT.findings));
        let output: Buffer;
        if (parsed.route === 'text') {
          const plan = planFromPolicy(manifest.policy);
          const analyze = analyzerFor(env.job.policyHash, manifest);
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
        // Before the output is stored, so a re-run after a crash records it (the first record stands).
        await recordClass(
          env,
          'redacted',
          releasedInRedacted(valuesOf(parsed.text, findings), planFromPolicy(manifest.policy)),
        );
        await putOnce(env, ARTIFACT.redacted, output);
      }
      return extracts(await manifestOf(env)) ? 'extract' : 'finalise';
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
      const missing = (wantFields && !has(env, ARTIFACT.fields)) || (wantText && !has(env, ARTIFACT.text));
      if (missing) {
        const parsed = parseJson<ParsedArtifact>(await readArtifact(env, ARTIFACT.parsed));
        if (wantFields) {
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
          await recordClass(env, 'fields', releasedInFields(result));
          await putOnce(env, ARTIFACT.fields, json(result));
        }
        if (wantText) {
          const { findings } = parseJson<FindingsArtifact>(await readArtifact(env, ARTIFACT.findings));
          await recordClass(env, 'text', releasedInText(valuesOf(parsed.text, findings)));
          await putOnce(env, ARTIFACT.text, json({ text: parsed.text }));
        }
      }
      return 'finalise';
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
  // its re-identification risk once released.
  const recordClass = async (env: StepEnv, kind: RiskOutputKind, released: readonly ReleasedValue[]) =>
    recordOutputClass(env.store.db, {
      tenant: env.payload.tenantId,
      jobId: env.payload.jobId,
      kind,
      dataKey: await services.keyring.currentKey(env.payload.tenantId),
      released,
    });

  const finalise: JobTask = {
    step: 'finalise',
    async run(env) {
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
        if (!waits)
          await completeJob(
            env.store.db,
            env.payload,
            retentionWindows(manifest.policy, manifest.retentionDays),
            ['running', 'awaiting_review'],
          );
      }
      // After the status, so a crash in between leaves a finished job whose re-run only sweeps.
      const parsed = env.artifacts.get(artifactId(env.payload.jobId, ARTIFACT.parsed));
      if (parsed !== undefined) await env.repos.artifacts.deleteStored(parsed);
      manifests.delete(manifestKey(env));
      return null;
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
    ? { store, payload, job, repos, artifacts: new Map(snapshot.artifacts.map((a) => [a.id, a])) }
    : undefined;
}
