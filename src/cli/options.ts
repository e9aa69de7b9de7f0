import { InvalidArgumentError } from 'commander';

/** Parses `--threshold`; commander reports a usage error (exit 2) for a bad value. */
export function parseThreshold(value: string): number {
  const score = Number(value);
  if (!Number.isFinite(score) || score < 0 || score > 1)
    throw new InvalidArgumentError('expected a number between 0 and 1');
  return score;
}

/** Parses a comma-separated list of entity types. */
export function parseEntities(value: string): string[] {
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (types.length === 0) throw new InvalidArgumentError('expected a comma-separated list of entity types');
  return types;
}

/** Parses `--threads`: worker threads, 1 to 64. */
export function parseThreads(value: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new InvalidArgumentError('expected a whole number of threads from 1 to 64');
  return threads;
}
