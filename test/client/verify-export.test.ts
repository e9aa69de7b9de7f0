/**
 * The SDK's portable export verifier gives the same answer as the CLI's (`veil audit verify` on an
 * export) for a genuine export and for each kind of tampering, with either Ed25519 engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuditLog,
  createAuditSigner,
  exportAuditLog,
  exportAuditPublicKey,
  generateAuditKeyPair,
  MemoryAuditStore,
  serializeAuditExport,
  verifyExport as cliVerify,
} from '../../src/audit/index.js';
import { verifyExport } from '../../src/client/verify-export.js';

const keyPair = generateAuditKeyPair();
const publicKey = exportAuditPublicKey(keyPair);
const otherKey = exportAuditPublicKey(generateAuditKeyPair());

async function exportText(): Promise<string> {
  const store = new MemoryAuditStore();
  const signer = createAuditSigner(keyPair);
  const log = new AuditLog({ store, signer, signEvery: 4 });
  for (let i = 0; i < 10; i++)
    await log.append({
      time: '2026-12-05T10:00:00.000Z',
      actor: { id: 'veil-worker', role: 'system' },
      tenant: 'acme',
      action: 'job.step',
      objects: [{ kind: 'job', id: `job-${i}` }],
      step: 'detect',
      outcome: 'succeeded',
    });
  await log.treeHead();
  return serializeAuditExport(await exportAuditLog(store, signer));
}

function lines(text: string, change: (lines: string[]) => void): string {
  const out = text.trimEnd().split('\n');
  change(out);
  return `${out.join('\n')}\n`;
}

function edit(line: string, change: (record: Record<string, unknown>) => void): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  change(record);
  return JSON.stringify(record);
}

test('the SDK and the CLI agree on a genuine export and on every tampering', async () => {
  const text = await exportText();
  const entryAt = (all: string[], index: number): number =>
    all.findIndex((l) => l.includes('"type":"entry"') && JSON.parse(l).index === index);
  const headAt = (all: string[]): number => all.findIndex((l) => l.includes('"type":"tree_head"'));
  const cases: Array<[string, string, unknown]> = [
    ['genuine, own key', text, undefined],
    ['genuine, pinned key', text, publicKey],
    ['another pinned key', text, otherKey],
    [
      'event changed',
      lines(
        text,
        (l) =>
          void (l[entryAt(l, 5)] = edit(
            l[entryAt(l, 5)]!,
            (r) => ((r.event as Record<string, unknown>).outcome = 'failed'),
          )),
      ),
      publicKey,
    ],
    [
      'event and leaf hash changed',
      lines(
        text,
        (l) =>
          void (l[entryAt(l, 5)] = edit(
            l[entryAt(l, 5)]!,
            (r) => ((r.leaf_hash as string) = '0'.repeat(64)),
          )),
      ),
      publicKey,
    ],
    ['entry removed', lines(text, (l) => void l.splice(entryAt(l, 3), 1)), publicKey],
    [
      'entries swapped',
      lines(text, (l) => {
        const a = entryAt(l, 2);
        const b = entryAt(l, 3);
        [l[a], l[b]] = [l[b]!, l[a]!];
      }),
      publicKey,
    ],
    ['last entries cut', lines(text, (l) => void l.splice(entryAt(l, 9), 1)), publicKey],
    [
      'head signature flipped',
      lines(
        text,
        (l) =>
          void (l[headAt(l)] = edit(l[headAt(l)]!, (r) => {
            const head = r.tree_head as { signature: string };
            head.signature = `${head.signature[0] === 'A' ? 'B' : 'A'}${head.signature.slice(1)}`;
          })),
      ),
      publicKey,
    ],
    [
      'every head removed',
      lines(text, (l) => {
        for (let i = l.length - 1; i >= 0; i--) if (l[i]!.includes('"type":"tree_head"')) l.splice(i, 1);
      }),
      publicKey,
    ],
  ];
  for (const [name, input, key] of cases) {
    const cli = cliVerify(input, key === undefined ? undefined : (key as typeof publicKey).jwk);
    for (const engine of ['webcrypto', 'bundled'] as const) {
      const sdk = await verifyExport(input, key as typeof publicKey | undefined, { engine });
      assert.deepEqual(sdk, cli, `${name} (${engine})`);
    }
  }
  assert.equal((await verifyExport(text, publicKey)).ok, true);
});

test('unreadable input is a format problem in both', async () => {
  for (const input of ['', 'not json\n', '{"type":"entry"}\n']) {
    const cli = cliVerify(input);
    const sdk = await verifyExport(input);
    assert.equal(!cli.ok && cli.problem, 'format');
    assert.equal(!sdk.ok && sdk.problem, 'format');
  }
});
