import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEgressGuard } from '../../src/ai/egress.js';
import { artifactExchangeStore, MODEL_EXCHANGE_CLASS } from '../../src/ai/model/exchanges.js';
import type { ModelExchange } from '../../src/ai/model/exchanges.js';
import { ModelExtractor } from '../../src/ai/model/extractor.js';
import { OpenAiCompatibleProvider } from '../../src/ai/model/openai-compatible.js';
import { promptHash } from '../../src/ai/model/provider.js';
import { ensureTenant, forTenant } from '../../src/store/index.js';
import { canaries, canaryText, dumpTables, filesContaining, storeFor } from '../pipeline/jobs/fixtures.js';
import { DRIVERS } from '../store/drivers.js';
import type { TestDatabase } from '../store/drivers.js';
import { testAudit } from './audit-log.js';
import { lastUserMessage, startChatServer } from './chat-server.js';
import type { ChatServer } from './chat-server.js';

const pglite = DRIVERS.find((d) => d.name === 'pglite')!;

describe('model exchanges are kept pseudonymised and encrypted (PGlite, encrypted file blobs)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: ChatServer;
  before(async () => {
    db = await pglite.open();
    dataDir = await mkdtemp(join(tmpdir(), 'veil-ai-exchanges-'));
    // A model that reads the claimant off the document: the placeholder after "Please contact".
    server = await startChatServer(({ body }) => {
      const claimant = /Please contact (<[A-Z_]+_\d+>)/.exec(lastUserMessage(body))?.[1] ?? null;
      return { message: JSON.stringify({ fields: { claimant: { value: claimant, confidence: 0.9 } } }) };
    });
  });
  after(async () => {
    await server.close();
    await db.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('one artifact of class model-exchanges per call; no canary anywhere in rows, blobs or the audit log', async () => {
    const store = storeFor(db.handle, dataDir);
    await ensureTenant(db.handle.db, 'acme');
    const repos = forTenant(store, 'acme');
    const deleteAfter = new Date(Date.now() + 86_400_000);
    const job = await repos.jobs.create({
      purpose: 'claims',
      consent: { basis: 'contract', allowModelTraining: false, allowManualReview: false },
      policyHash: 'sha256:' + '0'.repeat(64),
      retentionClass: 'short',
      deleteAfter,
    });
    const audit = testAudit();
    const provider = new OpenAiCompatibleProvider({
      baseUrl: server.url,
      model: 'm',
      egress: createEgressGuard(),
      audit: audit.audit,
    });
    const extractor = new ModelExtractor({
      provider,
      exchanges: artifactExchangeStore(repos.artifacts, { jobId: job.id, deleteAfter }),
    });

    const needles: string[] = [];
    for (let n = 0; n < 3; n++) {
      const c = canaries(n);
      needles.push(c.ssn, c.email, c.name);
      const result = await extractor.extract({
        text: canaryText(n),
        fields: [{ name: 'claimant', type: 'name' }],
      });
      assert.equal(result.fields.claimant!.value, c.name);
    }

    const kept = (await repos.artifacts.listForJob(job.id)).filter(
      (a) => a.artifactClass === MODEL_EXCHANGE_CLASS,
    );
    assert.equal(kept.length, 3);
    assert.ok(kept.every((a) => a.deleteAfter.getTime() === deleteAfter.getTime()));
    const exchange = JSON.parse((await repos.artifacts.read(kept[0]!.id)).toString('utf8')) as ModelExchange;
    assert.equal(exchange.version, 1);
    assert.equal(exchange.promptHash, promptHash(exchange.messages));
    // The tagger reads this name as an organisation in this sentence; either way it is a placeholder.
    assert.match(
      exchange.messages[1]!.content,
      /Please contact <ORGANIZATION_1> by e-mail at <EMAIL_ADDRESS_1> about the claim\.\nHis social security number is <US_SSN_1>\./,
    );
    assert.equal(exchange.answer, '{"fields":{"claimant":{"value":"<ORGANIZATION_1>","confidence":0.9}}}');
    assert.ok(
      audit.events().some((e) => e.prompt_hash === exchange.promptHash),
      'the stored exchange matches an audited prompt hash',
    );

    const everything = [
      await dumpTables(db.handle),
      ...audit.store.rows.map((r) => r.event),
      ...server.requests.map((r) => r.body),
    ].join('\n');
    for (const needle of needles)
      assert.ok(!everything.includes(needle), 'a canary is stored, audited or sent in plaintext');
    assert.deepEqual(await filesContaining(dataDir, needles), []);
  });
});
