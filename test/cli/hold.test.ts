import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedPGlite } from '../store/pglite-template.js';
import { runVeil } from './veil.js';

const dataDir = mkdtempSync(join(tmpdir(), 'veil-hold-'));
// The keyring's database starts from the migrated template, as the store tests' do.
await migratedPGlite(join(dataDir, 'pglite'));

function veil(...args: string[]) {
  return runVeil([...args, '--data-dir', dataDir], {
    env: { ...process.env, VEIL_REGION: 'eu', DATABASE_URL: '' },
  });
}

test(
  'veil hold place, list and lift a tenant-wide hold, each audited with its reason and reference',
  { timeout: 3_000_000 },
  async () => {
    try {
      const placed = await veil(
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
      assert.equal((await veil('hold', 'list', '--tenant', 'acme')).stdout.trim().split('\t')[0], id);
      assert.equal(
        (await veil('hold', 'place', '--tenant', 'acme', '--reason', 'litigation', '--reference', 'MATTER-9'))
          .code,
        2,
        'a scope is required (a usage error)',
      );
      assert.equal(
        (
          await veil(
            'hold',
            'place',
            '--tenant',
            'acme',
            '--whole-tenant',
            '--reason',
            'because',
            '--reference',
            'M-1',
          )
        ).code,
        2,
      );
      const lifted = await veil('hold', 'lift', id!, '--tenant', 'acme');
      assert.equal(lifted.code, 0, lifted.stderr);
      assert.match(lifted.stdout, /\tlifted \d{4}-/);
      assert.equal((await veil('hold', 'list', '--tenant', 'acme')).stdout, 'tenant acme: no legal holds\n');
      assert.equal(
        (await veil('hold', 'list', '--tenant', 'acme', '--all')).stdout.trim().split('\t')[0],
        id,
      );
      const again = await veil('hold', 'lift', id!, '--tenant', 'acme');
      assert.match(again.stderr, /^error VEIL_CONFLICT/);

      const exported = join(dataDir, 'audit.jsonl');
      assert.equal((await veil('audit', 'export', '--tenant', 'acme', '-o', exported)).code, 0);
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
