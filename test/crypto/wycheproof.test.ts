// Runs Project Wycheproof's vectors through Veil's own wrappers: 100% of valid cases must be
// accepted and 100% of invalid cases rejected.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  KEY_BYTES,
  NONCE_BYTES,
  TAG_BYTES,
  aesGcmDecrypt,
  aesGcmEncrypt,
} from '../../src/crypto/envelope.js';
import { hkdfSha256 } from '../../src/crypto/hkdf.js';
import { hmacSha256, verifyHmacSha256 } from '../../src/crypto/hmac.js';
import { EVAL_URL } from '../repo-paths.js';

const folder = new URL('security/wycheproof/', EVAL_URL);
const present = existsSync(fileURLToPath(folder));

interface Suite<T> {
  readonly numberOfTests: number;
  readonly testGroups: ReadonlyArray<Record<string, unknown> & { readonly tests: readonly T[] }>;
}
interface Case {
  readonly tcId: number;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadCase extends Case {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}
interface MacCase extends Case {
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
}
interface HkdfCase extends Case {
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
}

const load = <T>(name: string): Suite<T> =>
  JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as Suite<T>;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

class Tally {
  validAccepted = 0;
  valid = 0;
  invalidRejected = 0;
  invalid = 0;
  readonly failures: string[] = [];

  record(c: Case, accepted: boolean): void {
    if (c.result === 'acceptable') return;
    if (c.result === 'valid') {
      this.valid += 1;
      if (accepted) this.validAccepted += 1;
      else this.failures.push(`tcId ${c.tcId}: valid case rejected`);
    } else {
      this.invalid += 1;
      if (!accepted) this.invalidRejected += 1;
      else this.failures.push(`tcId ${c.tcId}: invalid case accepted`);
    }
  }

  summary(): string {
    return `valid accepted ${this.validAccepted}/${this.valid}, invalid rejected ${this.invalidRejected}/${this.invalid}`;
  }
}

const accepts = (run: () => boolean): boolean => {
  try {
    return run();
  } catch {
    return false;
  }
};

test('Wycheproof aes_gcm_test through aesGcmEncrypt/aesGcmDecrypt (256-bit key, 96-bit IV, 128-bit tag)', (t) => {
  if (!present) return t.skip('../shared/eval absent');
  const suite = load<AeadCase>('aes_gcm_test.json');
  const tally = new Tally();
  let outside = 0;
  for (const group of suite.testGroups) {
    if (
      group.keySize !== KEY_BYTES * 8 ||
      group.ivSize !== NONCE_BYTES * 8 ||
      group.tagSize !== TAG_BYTES * 8
    ) {
      outside += group.tests.length;
      continue;
    }
    for (const c of group.tests) {
      const [key, iv, aad, msg, ct, tag] = [c.key, c.iv, c.aad, c.msg, c.ct, c.tag].map(hex) as [
        Buffer,
        Buffer,
        Buffer,
        Buffer,
        Buffer,
        Buffer,
      ];
      const accepted = accepts(() => {
        const opened = aesGcmDecrypt(key, iv, ct, tag, aad);
        if (!opened.equals(msg)) return false;
        // A valid case must also encrypt to the published ciphertext and tag.
        const sealed = aesGcmEncrypt(key, iv, msg, aad);
        return sealed.ciphertext.equals(ct) && sealed.tag.equals(tag);
      });
      tally.record(c, accepted);
    }
  }
  t.diagnostic(`aes_gcm_test: ${tally.summary()}; ${outside} cases in groups with other parameters not run`);
  assert.deepEqual(tally.failures, []);
  assert.ok(tally.valid > 0 && tally.invalid > 0);
});

test('Wycheproof hmac_sha256_test through hmacSha256/verifyHmacSha256', (t) => {
  if (!present) return t.skip('../shared/eval absent');
  const suite = load<MacCase>('hmac_sha256_test.json');
  const tally = new Tally();
  for (const group of suite.testGroups) {
    const tagBytes = Number(group.tagSize) / 8;
    for (const c of group.tests) {
      const key = hex(c.key);
      const msg = hex(c.msg);
      const tag = hex(c.tag);
      tally.record(
        c,
        accepts(
          () =>
            verifyHmacSha256(key, msg, tag, tagBytes) &&
            (tagBytes !== 32 || hmacSha256(key, msg).equals(tag)),
        ),
      );
    }
  }
  t.diagnostic(`hmac_sha256_test: ${tally.summary()}`);
  assert.deepEqual(tally.failures, []);
  assert.ok(tally.valid > 0 && tally.invalid > 0);
});

test('Wycheproof hkdf_sha256_test through hkdfSha256', (t) => {
  if (!present) return t.skip('../shared/eval absent');
  const suite = load<HkdfCase>('hkdf_sha256_test.json');
  const tally = new Tally();
  for (const group of suite.testGroups) {
    for (const c of group.tests) {
      tally.record(
        c,
        accepts(() => hkdfSha256(hex(c.ikm), hex(c.salt), hex(c.info), c.size).equals(hex(c.okm))),
      );
    }
  }
  t.diagnostic(`hkdf_sha256_test: ${tally.summary()}`);
  assert.deepEqual(tally.failures, []);
  assert.ok(tally.valid > 0 && tally.invalid > 0);
});
