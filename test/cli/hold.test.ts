import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'veil-hold-'));

function veil(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 400_000,
    env: { ...process.env, VEIL_REGION: 'eu', DATABASE_URL: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test(
  'veil hold place, list and lift a tenant-wide hold, each audited with its reason and reference',
  { timeout: 3_000_000 },
  () => {
    try {
      const placed = veil(
        'hold',
        'place',
        '--tenant',
        'acme',
        '--whole-tenant',
        '--reason',
        'litigation',
        '--reference',
        'MATTER-9',
      );
      assert.equal(placed.code, 0, placed.stderr);
      const [id, scope, job, reason, reference, , state] = placed.stdout.trim().split('\t');
      assert.deepEqual(
        [scope, job, reason, reference, state],
        ['tenant', '-', 'litigation', 'MATTER-9', 'standing'],
      );
      assert.equal(veil('hold', 'list', '--tenant', 'acme').stdout.trim().split('\t')[0], id);
      assert.equal(
        veil('hold', 'place', '--tenant', 'acme', '--reason', 'litigation', '--reference', 'MATTER-9').code,
        2,
        'a scope is required (a usage error)',
      );
      assert.equal(
        veil(
          'hold',
          'place',
          '--tenant',
          'acme',
          '--whole-tenant',
          '--reason',
          'because',
          '--reference',
          'M-1',
        ).code,
        2,
      );
      const lifted = veil('hold', 'lift', id!, '--tenant', 'acme');
      assert.equal(lifted.code, 0, lifted.stderr);
      assert.match(lifted.stdout, /\tlifted \d{4}-/);
      assert.equal(veil('hold', 'list', '--tenant', 'acme').stdout, 'tenant acme: no legal holds\n');
      assert.equal(veil('hold', 'list', '--tenant', 'acme', '--all').stdout.trim().split('\t')[0], id);
      const again = veil('hold', 'lift', id!, '--tenant', 'acme');
      assert.match(again.stderr, /^error VEIL_CONFLICT/);

      const exported = join(dataDir, 'audit.jsonl');
      assert.equal(veil('audit', 'export', '--tenant', 'acme', '-o', exported).code, 0);
      const events = readFileSync(exported, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"legal_hold.'))
        .map(
          (line) =>
            JSON.parse(line) as {
              event: { action: string; hold: unknown; region: string; actor: { id: string } };
            },
        )
        .map(({ event }) => ({
          action: event.action,
          hold: event.hold,
          region: event.region,
          actor: event.actor.id,
        }));
      const hold = { scope: 'tenant', reason: 'litigation', reference: 'MATTER-9' };
      assert.deepEqual(events, [
        { action: 'legal_hold.placed', hold, region: 'eu', actor: 'veil-cli' },
        { action: 'legal_hold.lifted', hold, region: 'eu', actor: 'veil-cli' },
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
