import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { VeilError } from '../errors/veil-error.js';

/**
 * Opens FILE (or standard input for `-`) as a UTF-8 text stream, so large inputs are never read
 * whole into memory.
 */
export async function openTextInput(file: string): Promise<AsyncIterable<string>> {
  if (file === '-') {
    process.stdin.setEncoding('utf8');
    return process.stdin;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new VeilError('VEIL_FILE_NOT_FOUND', 'the input file does not exist or is not a regular file', { cause });
  }
  return createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
}

/** Writes a line to stdout, waiting when the pipe is full so memory stays flat. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}
