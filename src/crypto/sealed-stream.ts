/**
 * A stream sealed with AES-256-GCM in frames, for files too large to seal in one piece (backups).
 * Each frame is `flag (1 byte) | length (4 bytes, big-endian) | ciphertext | tag (16 bytes)`, with
 * a nonce made of the frame's index and an AAD that binds the caller's header, the index and
 * whether the frame is the last one: frames cannot be dropped, reordered, moved to another
 * stream, or cut off after a whole frame (the STREAM construction of Hoang, Reyhanitabar, Rogaway
 * and Vizár). Each stream needs a fresh key, since nonces restart at zero.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { VeilError } from '../errors/veil-error.js';

/** Plaintext bytes per frame. */
export const FRAME_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const HEAD_BYTES = 5;
const LAST = 1;

function nonce(index: number): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeUIntBE(index, 6, 6);
  return bytes;
}

function aad(header: Uint8Array, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(7);
  tail.writeUIntBE(index, 0, 6);
  tail[6] = last ? LAST : 0;
  return Buffer.concat([header, tail]);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32)
    throw new VeilError('VEIL_INVALID_OPTION', 'sealed stream: the key must be 32 bytes');
}

/**
 * A transform that seals what is written to it, bound to `header` (which the caller stores in
 * the clear before the frames, and passes again to {@link openStream}).
 *
 * @example
 * ```ts
 * await pipeline(source, sealStream(key, header), createWriteStream(path));
 * ```
 */
export function sealStream(key: Uint8Array, header: Uint8Array): Transform {
  checkKey(key);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const frame = (plain: Buffer, last: boolean): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
    cipher.setAAD(aad(header, index, last));
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const head = Buffer.alloc(HEAD_BYTES);
    head[0] = last ? LAST : 0;
    head.writeUInt32BE(plain.length, 1);
    index += 1;
    return Buffer.concat([head, body]);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      // Keep at least one byte back: the last frame must be known to be last when it is sealed.
      while (pending.length > FRAME_BYTES) {
        this.push(frame(pending.subarray(0, FRAME_BYTES), false));
        pending = pending.subarray(FRAME_BYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      this.push(frame(pending, true));
      done();
    },
  });
}

function invalid(what: string): VeilError {
  return new VeilError('VEIL_BACKUP_INVALID', `sealed stream: ${what}`);
}

/**
 * The inverse of {@link sealStream}: yields the plaintext of each frame once its tag verifies,
 * and fails with `VEIL_BACKUP_INVALID` at the first frame that does not, or if the stream ends
 * before its last frame.
 *
 * @example
 * ```ts
 * await pipeline(createReadStream(path, { start: headerEnd }), openStream(key, header), createGunzip(), sink);
 * ```
 */
export function openStream(key: Uint8Array, header: Uint8Array): Transform {
  checkKey(key);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let ended = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= HEAD_BYTES) {
        if (ended) return done(invalid('data after the last frame'));
        const flag = pending[0]!;
        const length = pending.readUInt32BE(1);
        if (flag > LAST || length > FRAME_BYTES) return done(invalid(`frame ${index} has a bad header`));
        const size = HEAD_BYTES + length + TAG_BYTES;
        if (pending.length < size) break;
        const last = flag === LAST;
        const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
        decipher.setAAD(aad(header, index, last));
        decipher.setAuthTag(pending.subarray(HEAD_BYTES + length, size));
        let plain: Buffer;
        try {
          plain = Buffer.concat([
            decipher.update(pending.subarray(HEAD_BYTES, HEAD_BYTES + length)),
            decipher.final(),
          ]);
        } catch {
          return done(invalid(`frame ${index} fails its authentication check (altered or damaged)`));
        }
        pending = pending.subarray(size);
        index += 1;
        ended = last;
        this.push(plain);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!ended || pending.length > 0)
        return done(invalid('the stream ends before its last frame (truncated)'));
      done();
    },
  });
}
