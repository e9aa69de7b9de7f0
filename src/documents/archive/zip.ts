import { crc32, inflateRawSync } from 'node:zlib';
import { VeilError } from '../../errors/veil-error.js';
import type { DocumentLimits } from '../limits.js';

/** One entry of a zip container, read into memory on demand and never written to disk. */
export interface ZipEntry {
  readonly name: string;
  readonly compressedSize: number;
  readonly size: number;
}

/** A zip container whose entries are read lazily, each inflation bounded by the limits. */
export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
  /** Inflates one entry; throws VEIL_LIMIT_ARCHIVE when the archive's expansion budget runs out. */
  read(name: string): Uint8Array | undefined;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const malformed = (why: string): VeilError =>
  new VeilError('VEIL_MALFORMED_DOCUMENT', `zip container: ${why}`);
const overLimit = (why: string): VeilError => new VeilError('VEIL_LIMIT_ARCHIVE', `zip container: ${why}`);

/**
 * An entry name is a key in memory, never a path on disk; still, a name that would escape a
 * directory (zip-slip) or is absolute marks a hostile archive, so the whole archive is refused.
 */
function checkName(name: string): void {
  if (
    name.includes('\\') ||
    name.startsWith('/') ||
    /^[a-zA-Z]:/.test(name) ||
    name.split('/').includes('..') ||
    name.includes('\0')
  )
    throw malformed('an entry name points outside the archive (zip-slip)');
}

/**
 * Reads a zip's central directory with every bound checked before anything is inflated: entry
 * count, declared expanded total, per-entry compression ratio, entries whose data overlap (the
 * overlapping-file bomb), encryption and names that escape the archive. Entries are inflated in
 * memory with `maxOutputLength`, so a lying size field cannot expand past the budget either.
 *
 * @example
 * ```ts
 * const zip = openZip(bytes, DEFAULT_LIMITS);
 * const xml = zip.read('word/document.xml');
 * ```
 */
export function openZip(bytes: Uint8Array, limits: DocumentLimits): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw malformed('no end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff)
    throw malformed('zip64 containers are not supported');
  if (count > limits.maxArchiveEntries)
    throw overLimit(`more than limits.maxArchiveEntries (${limits.maxArchiveEntries}) entries`);
  if (directoryOffset + directorySize > eocd) throw malformed('central directory out of bounds');

  const entries: (ZipEntry & { method: number; dataStart: number; crc: number })[] = [];
  let declaredTotal = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL)
      throw malformed('central directory entry damaged');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    checkName(name);
    if (flags & 1) throw new VeilError('VEIL_ENCRYPTED_DOCUMENT', 'zip container: an entry is encrypted');
    if (method !== 0 && method !== 8) throw malformed('an entry uses an unsupported compression method');
    declaredTotal += size;
    if (declaredTotal > limits.maxExpandedBytes)
      throw overLimit(`expands beyond limits.maxExpandedBytes (${limits.maxExpandedBytes})`);
    if (size > Math.max(compressedSize, 1) * limits.maxCompressionRatio && size > 1024 * 1024)
      throw overLimit(
        `an entry's compression ratio exceeds limits.maxCompressionRatio (${limits.maxCompressionRatio})`,
      );
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL)
      throw malformed('local header damaged');
    const dataStart =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.length) throw malformed('entry data out of bounds');
    entries.push({ name, compressedSize, size, method, dataStart, crc });
  }

  // Entries sharing compressed bytes are how overlapping-file bombs reach 10^9 bytes from 10^4.
  const byStart = [...entries].sort((a, b) => a.dataStart - b.dataStart);
  for (let i = 1; i < byStart.length; i++) {
    const previous = byStart[i - 1]!;
    if (byStart[i]!.dataStart < previous.dataStart + previous.compressedSize)
      throw overLimit('entries overlap (overlapping-file zip bomb)');
  }

  let budget = limits.maxExpandedBytes;
  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    entries: entries.map(({ name, compressedSize, size }) => ({ name, compressedSize, size })),
    read(name: string): Uint8Array | undefined {
      const entry = byName.get(name);
      if (!entry) return undefined;
      const raw = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
      let data: Uint8Array;
      if (entry.method === 0) data = raw;
      else {
        try {
          // One byte past the declared size, so an entry that lies about its size is caught.
          data = inflateRawSync(raw, { maxOutputLength: Math.min(entry.size, budget) + 1 });
        } catch (cause) {
          if (cause instanceof RangeError)
            throw overLimit('an entry expands beyond its declared size or the expansion budget');
          throw malformed('an entry does not inflate');
        }
      }
      if (data.length !== entry.size) throw malformed('an entry does not match its declared size');
      if (crc32(data) !== entry.crc) throw malformed('an entry fails its CRC check');
      budget -= data.length;
      if (budget < 0) throw overLimit(`expands beyond limits.maxExpandedBytes (${limits.maxExpandedBytes})`);
      return data;
    },
  };
}
