import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { complianceReportCommand, parsePeriod } from '../../../src/cli/commands/compliance.js';
import { isVeilError } from '../../../src/errors/veil-error.js';
import { CONTROLS, renderHtml, renderMarkdown } from '../../../src/privacy/compliance/index.js';
import type { Control } from '../../../src/privacy/compliance/index.js';
import { openAuditLogs } from '../../../src/runtime/audit.js';
import { openDatabase } from '../../../src/store/index.js';
import { repoUrl } from '../../repo-paths.js';
import { migratedPGlite } from '../../store/pglite-template.js';

const ROOT = repoUrl('');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The named tests a control cites that no test file declares, as `file: name`.
async function missingTests(controls: readonly Control[]): Promise<string[]> {
  const missing: string[] = [];
  for (const control of controls) {
    for (const ref of control.tests) {
      const source = await readFile(new URL(ref.file, ROOT), 'utf8').catch(() => '');
      const quoted = `(['"\`])${escapeRegExp(ref.name)}\\1`;
      if (!new RegExp(`\\b(?:test|it)\\(\\s*${quoted}`).test(source))
        missing.push(`${control.id} ${ref.file}: ${ref.name}`);
    }
  }
  return missing;
}

test('every test a control names exists in the file it names', async () => {
  assert.deepEqual(await missingTests(CONTROLS), []);
  // The check itself fails on a test that does not exist, or that lives in another file.
  const bogus: Control = {
    ...CONTROLS[0]!,
    tests: [
      { file: 'test/api/matrix.test.ts', name: 'a test nobody wrote' },
      { file: 'test/store/store.test.ts', name: CONTROLS[0]!.tests[0]!.name },
    ],
  };
  assert.equal((await missingTests([bogus])).length, 2);
});

test('the registry serves every clause the issue names, with unique ids and at least one test per control', () => {
  const served = new Set(CONTROLS.flatMap((c) => c.clauses.map((k) => `${k.regulation} ${k.clause}`)));
  for (const clause of ['5(1)(c)', '5(1)(e)', '6', '7(3)', '15', '17', '25', '30', '32', '44'])
    assert.ok(served.has(`GDPR ${clause}`), `GDPR ${clause}`);
  for (const clause of ['164.312(a)(1)', '164.312(b)', '164.312(c)(1)', '164.312(e)(1)'])
    assert.ok(served.has(`HIPAA ${clause}`), `HIPAA ${clause}`);
  assert.ok(served.has('SOX 404'));
  assert.equal(new Set(CONTROLS.map((c) => c.id)).size, CONTROLS.length);
  for (const control of CONTROLS) assert.ok(control.tests.length > 0, control.id);
});

test('parsePeriod reads hours, days and weeks and names the flag otherwise', () => {
  assert.equal(parsePeriod('30d', '--since'), 30 * 86_400_000);
  assert.equal(parsePeriod('12h', '--since'), 12 * 3_600_000);
  assert.equal(parsePeriod('2w', '--since'), 14 * 86_400_000);
  assert.throws(
    () => parsePeriod('30 days', '--since'),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.startsWith('--since'),
  );
});

describe('veil compliance report on a real audit log (PGlite)', () => {
  let dir: string;
  const now = new Date('2026-03-31T12:00:00.000Z');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veil-compliance-'));
    await migratedPGlite(join(dir, 'pglite'));
    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dir, 'pglite') });
    try {
      const logs = await openAuditLogs({ db: handle.db, dataDir: dir });
      const log = logs.forTenant('acme');
      const event = (time: string, action: 'job.created' | 'job.download', id: string) => ({
        time,
        actor: { id: 'user-1', role: 'user' as const },
        tenant: 'acme',
        action,
        objects: [{ kind: 'job' as const, id }],
        ...(action === 'job.created' ? { policy_hash: 'a'.repeat(64), purpose: 'claims' } : {}),
      });
      await log.append(event('2026-03-30T10:00:00.000Z', 'job.created', 'job-1'));
      await log.append(event('2026-03-30T10:05:00.000Z', 'job.download', 'job-1'));
      await log.append(event('2026-03-30T11:00:00.000Z', 'job.created', 'job-2'));
      // Outside a 7-day period: not counted.
      await log.append(event('2026-01-02T10:00:00.000Z', 'job.created', 'job-0'));
    } finally {
      await handle.close();
    }
    await writeFile(
      join(dir, 'k.yaml'),
      'version: 1\noperators: { default: { operator: redact } }\nk_anonymity: { k: 5, quasi: [age, zip] }\n',
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('statuses follow the policy, audit counts the period, and the latest signed tree head is cited', async () => {
    const report = await complianceReportCommand({
      dataDir: dir,
      tenant: 'acme',
      sinceMs: parsePeriod('7d', '--since'),
      env: {},
      now,
    });
    assert.equal(report.tenant, 'acme');
    assert.equal(report.period.since, '2026-03-24T12:00:00.000Z');
    assert.equal(report.audit_events_total, 3);
    assert.equal(report.tree_head?.tree_size, 4);
    assert.match(report.tree_head!.root_hash, /^[0-9a-f]{64}$/);
    assert.match(report.policy_hash, /^[0-9a-f]{64}$/);
    const byId = new Map(report.controls.map((c) => [c.id, c]));
    assert.equal(byId.get('VEIL-KAN-01')!.status, 'configured_off');
    assert.equal(byId.get('VEIL-MIN-01')!.status, 'enforced');
    assert.deepEqual(byId.get('VEIL-LAW-01')!.audit_events, { 'job.created': 2, 'policy.changed': 0 });
    assert.deepEqual(byId.get('VEIL-AUD-01')!.audit_events, { 'job.created': 2, 'job.download': 1 });
    assert.deepEqual(report.summary, { enforced: CONTROLS.length - 1, configured_off: 1, not_applicable: 0 });

    const withK = await complianceReportCommand({
      dataDir: dir,
      tenant: 'acme',
      sinceMs: parsePeriod('7d', '--since'),
      policyFile: join(dir, 'k.yaml'),
      env: {},
      now,
    });
    const kan = withK.controls.find((c) => c.id === 'VEIL-KAN-01')!;
    assert.equal(kan.status, 'enforced');
    assert.deepEqual(kan.policy, { k_anonymity: { k: 5, quasi: ['age', 'zip'] } });
  });

  test('Markdown and HTML carry every control; the HTML is one file with no external asset and escapes what it prints', async () => {
    const report = await complianceReportCommand({
      dataDir: dir,
      tenant: 'acme',
      sinceMs: parsePeriod('30d', '--since'),
      env: {},
      now,
    });
    const md = renderMarkdown(report);
    const html = renderHtml(report);
    for (const control of CONTROLS) {
      assert.ok(md.includes(`## ${control.id}: ${control.title}`), control.id);
      assert.ok(html.includes(`id="${control.id}"`), control.id);
    }
    assert.ok(
      md.includes(
        '| VEIL-KAN-01 k-anonymous tabular outputs | configured off | GDPR art. 5(1)(c) (data minimisation); GDPR art. 25 (data protection by design and by default) |',
      ),
    );
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    assert.doesNotMatch(html, /href="(?!#)/, 'links only to anchors inside the file');
    const hostile = renderHtml({ ...report, tenant: '<script>x</script>' });
    assert.ok(hostile.includes('&lt;script&gt;x&lt;/script&gt;') && !hostile.includes('<script>x'));
  });
});
