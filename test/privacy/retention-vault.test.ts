/**
 * A job's tokens live no longer than the job: once every retention class of a job is gone, the
 * sweep destroys the key its tokens were issued under and their vault entries, so a token copied
 * out of an old output reveals nothing. While any class is left, the tokens stay.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { sweepRetention } from '../../src/privacy/retention/sweeper.js';
import { retentionAudit } from '../../src/runtime/governance.js';
import { DatabaseTokenVault } from '../../src/store/token-vault.js';
import {
  as,
  DRIVER_NAMES,
  openTestService,
  skipReason,
  systemRows,
  textJob,
  waitForJob,
} from '../api/jobs-harness.js';
import type { TestService } from '../api/jobs-harness.js';
import { policyDir, QUIET_API, shippedDefault } from './governance-fixtures.js';

const DAY = 86_400_000;

for (const driver of DRIVER_NAMES) {
  describe(`tokens expire with their job (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let dir: string;
    before(async () => {
      const base = await shippedDefault();
      dir = await policyDir({
        default: {},
        tok: { operators: { ...(base.operators as object), default: { operator: 'tokenize' } } },
      });
      t = await openTestService(driver, { policyDir: dir, sweepIntervalSeconds: 0, api: QUIET_API });
    });
    after(async () => {
      await t?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    test('the sweep that deletes the last class of a job shreds its token key and entries, and no sooner', async () => {
      const submit = async (text: string): Promise<string> => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor', 'tok'),
          payload: textJob(text, { retention_days: 1 }),
        });
        assert.equal(res.statusCode, 202, res.body);
        const id = res.json<{ job_id: string }>().job_id;
        assert.equal((await waitForJob(t.app, id, 'tok')).status, 'succeeded');
        return id;
      };
      const old = await submit('Claim 12: the insured, reachable at vault-canary@example.org, writes.');
      const redacted = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/jobs/${old}/redacted`,
          headers: as('processor', 'tok'),
        })
      ).body;
      const token = /tok_[0-9a-f]{32}/.exec(redacted)?.[0];
      assert.ok(token, 'the tokenize policy put a token in the output');
      const vault = new DatabaseTokenVault({
        db: t.service.runtime.handle.db,
        keyring: t.service.runtime.keyring,
      });
      assert.notEqual(await vault.valueFor('tok', token), undefined, 'the token reveals while the job lives');
      const entries = (job: string) =>
        systemRows(t, `select 1 from vault_entries where tenant_id = 'tok' and subject_id = 'job-${job}'`);
      assert.ok((await entries(old)).length > 0);

      const store = { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs };
      const sweep = (now: Date) => sweepRetention(store, retentionAudit(t.service.audit), { now, vault });

      // Nothing is due yet: the tokens stay.
      const early = await sweep(new Date());
      assert.equal(early.vaultSubjects, 0);
      assert.notEqual(await vault.valueFor('tok', token), undefined);

      // Past every deadline of the job: its classes go, and with them its tokens.
      const fresh = await submit('Claim 13: the insured, reachable at vault-keep@example.org, writes.');
      const late = await sweep(new Date(Date.now() + 400 * DAY));
      assert.ok(late.vaultSubjects >= 1, 'at least the old job was shredded');
      assert.equal(await vault.valueFor('tok', token), undefined, 'the token no longer reveals');
      assert.deepEqual(await entries(old), [], 'no vault entry of the job is left');
      assert.deepEqual(await entries(fresh), [], 'the fresh job went too: its deadlines were also past');

      // A sweep with nothing new shreds nothing.
      assert.equal((await sweep(new Date(Date.now() + 400 * DAY))).vaultSubjects, 0);
    });

    test('without the vault, the sweep leaves tokens alone (the CLI and services always pass it)', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor', 'tok'),
        payload: textJob('Claim 14: the insured, reachable at vault-none@example.org, writes.', {
          retention_days: 1,
        }),
      });
      const id = res.json<{ job_id: string }>().job_id;
      assert.equal((await waitForJob(t.app, id, 'tok')).status, 'succeeded');
      const store = { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs };
      const report = await sweepRetention(store, retentionAudit(t.service.audit), {
        now: new Date(Date.now() + 400 * DAY),
      });
      assert.equal(report.vaultSubjects, 0);
      assert.ok(
        (
          await systemRows(
            t,
            `select 1 from vault_entries where tenant_id = 'tok' and subject_id = 'job-${id}'`,
          )
        ).length > 0,
      );
    });
  });
}
