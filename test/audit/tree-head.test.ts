import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  createAuditSigner,
  exportAuditPrivateKey,
  exportAuditPublicKey,
  generateAuditKeyPair,
  importAuditPrivateKey,
  importAuditPublicKey,
  signTreeHead,
  verifyEd25519,
  verifyTreeHead,
} from '../../src/audit/tree-head.js';
import { EVAL_URL } from '../repo-paths.js';

const WYCHEPROOF = new URL('security/wycheproof/ed25519_test.json', EVAL_URL);

test(
  'Wycheproof Ed25519 through Veil’s verifier: every valid accepted, every invalid rejected',
  { skip: existsSync(WYCHEPROOF) ? false : 'ed25519_test.json is absent' },
  (t) => {
    const suite = JSON.parse(readFileSync(WYCHEPROOF, 'utf8')) as {
      testGroups: {
        publicKey: { pk: string };
        tests: { tcId: number; msg: string; sig: string; result: string }[];
      }[];
    };
    let valid = 0;
    let validAccepted = 0;
    let invalid = 0;
    let invalidRejected = 0;
    const wrong: number[] = [];
    for (const group of suite.testGroups) {
      const { key } = importAuditPublicKey(new Uint8Array(Buffer.from(group.publicKey.pk, 'hex')));
      for (const c of group.tests) {
        const accepted = verifyEd25519(
          key,
          Buffer.from(c.msg, 'hex'),
          new Uint8Array(Buffer.from(c.sig, 'hex')),
        );
        if (c.result === 'valid') {
          valid += 1;
          if (accepted) validAccepted += 1;
          else wrong.push(c.tcId);
        } else {
          invalid += 1;
          if (!accepted) invalidRejected += 1;
          else wrong.push(c.tcId);
        }
      }
    }
    t.diagnostic(
      `wycheproof ed25519: valid ${validAccepted}/${valid} accepted, invalid ${invalidRejected}/${invalid} rejected`,
    );
    assert.deepEqual(wrong, []);
    assert.ok(valid > 0 && invalid > 0);
  },
);

test('a signed tree head verifies under its key and fails on any change, another key or a malleated signature', async () => {
  const keyPair = generateAuditKeyPair();
  const signer = createAuditSigner(keyPair);
  const head = {
    tree_size: 8,
    root_hash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    timestamp: 1_738_324_800_000,
  };
  const sth = await signTreeHead(head, signer);
  assert.equal(sth.key_id, keyPair.keyId);
  assert.ok(verifyTreeHead(sth, keyPair));

  assert.equal(verifyTreeHead({ ...sth, tree_size: 9 }, keyPair), false);
  assert.equal(verifyTreeHead({ ...sth, timestamp: sth.timestamp + 1 }, keyPair), false);
  assert.equal(verifyTreeHead({ ...sth, root_hash: `4${sth.root_hash.slice(1)}` }, keyPair), false);
  assert.equal(verifyTreeHead({ ...sth, extra: 1 }, keyPair), false);
  const other = generateAuditKeyPair();
  assert.equal(verifyTreeHead(sth, other), false);
  assert.equal(verifyTreeHead({ ...sth, key_id: other.keyId }, other), false);

  // S + L is the classic malleation: the same point, a different encoding.
  const sig = Buffer.from(sth.signature, 'base64url');
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i] as number);
  const malleated = s + 2n ** 252n + 27742317777372353535851937790883648493n;
  if (malleated < 2n ** 256n) {
    const forged = Buffer.from(sig);
    let m = malleated;
    for (let i = 32; i < 64; i++) {
      forged[i] = Number(m & 0xffn);
      m >>= 8n;
    }
    assert.equal(verifyTreeHead({ ...sth, signature: forged.toString('base64url') }, keyPair), false);
  }
});

test('keys round-trip through PKCS#8 PEM, SPKI PEM, JWK and raw bytes with a stable RFC 7638 key id', () => {
  const keyPair = generateAuditKeyPair();
  const published = exportAuditPublicKey(keyPair);
  assert.equal(published.jwk.kid, keyPair.keyId);
  assert.deepEqual(
    [published.jwk.kty, published.jwk.crv, published.jwk.alg, published.jwk.use],
    ['OKP', 'Ed25519', 'EdDSA', 'sig'],
  );
  assert.ok(published.pem.startsWith('-----BEGIN PUBLIC KEY-----'));
  assert.equal(importAuditPublicKey(published.pem).keyId, keyPair.keyId);
  assert.equal(importAuditPublicKey(published.jwk).keyId, keyPair.keyId);
  assert.equal(
    importAuditPublicKey(new Uint8Array(Buffer.from(published.jwk.x, 'base64url'))).keyId,
    keyPair.keyId,
  );
  assert.equal(importAuditPrivateKey(exportAuditPrivateKey(keyPair)).keyId, keyPair.keyId);
  // RFC 8037 appendix A.3: the thumbprint of the RFC 8032 test key.
  const rfc = importAuditPublicKey({
    kty: 'OKP',
    crv: 'Ed25519',
    x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  });
  assert.equal(rfc.keyId, 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  assert.throws(() => importAuditPublicKey('not a key'), { code: 'VEIL_AUDIT_KEY_INVALID' });
  assert.throws(() => importAuditPublicKey(new Uint8Array(31)), { code: 'VEIL_AUDIT_KEY_INVALID' });
});
