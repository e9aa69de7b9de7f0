import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { VeilError } from '../errors/veil-error.js';
import { cli } from './context.js';

/**
 * Opens FILE (or standard input for `-`) as a UTF-8 text stream, so large inputs are never read
 * whole into memory.
 */
export async function openTextInput(file: string): Promise<AsyncIterable<string>> {
  if (file === '-') {
    const { stdin } = cli();
    stdin.setEncoding('utf8');
    return stdin;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'the input file does not exist or is not a regular file', {
      cause,
    });
  }
  return createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
}

/** Writes a line to stdout, waiting when the pipe is full so memory stays flat. */
export async function writeLine(line: string): Promise<void> {
  const { stdout } = cli();
  if (!stdout.write(`${line}\n`)) await new Promise<void>((resolve) => stdout.once('drain', resolve));
}

/**
 * The format of FILE judged from its first 64 KiB, never its name: `pdf`, `image`, `docx`,
 * `email`, `csv`, `json`, `ndjson`, `text`, or `unsupported` for an unknown binary type.
 * A file that cannot be read counts as `text`, so the text path reports it with its code.
 */
export async function sniffFileFormat(file: string): Promise<string> {
  const { sniffType } = await import('../documents/parse.js');
  const head = new Uint8Array(64 * 1024);
  let length = 0;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead: length } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch {
    return 'text';
  }
  try {
    return (await sniffType(head.subarray(0, length))).format;
  } catch {
    return 'unsupported';
  }
}
