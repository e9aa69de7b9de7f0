/**
 * Prepared analyzers, one per option set, so a request does not recompile the recognizers. Only
 * option sets without allow or deny lists are kept: those lists are often personal data (the
 * names to find or to leave), and a cache would hold them in memory after the request ended.
 */
import { createAnalyzer } from '../engine/analyze.js';
import type { AnalyzeOptions, Analyzer } from '../engine/analyze.js';
import type { AnalyzeText } from './ports.js';

/** A bounded least-recently-used map from option sets to analyzers. */
export interface AnalyzerCache {
  /** The analyzer for `options`, prepared once per distinct option set. */
  get(options: AnalyzeOptions): Analyzer;
  readonly size: number;
}

/**
 * Creates an analyzer cache holding at most `capacity` analyzers (0 disables caching).
 *
 * @example
 * ```ts
 * const cache = createAnalyzerCache(64);
 * cache.get({ entities: ['EMAIL_ADDRESS'] })('mail jane@example.org');
 * ```
 */
export function createAnalyzerCache(capacity: number): AnalyzerCache {
  const entries = new Map<string, Analyzer>();
  return {
    get(options) {
      const cacheable = capacity > 0 && options.allowList === undefined && options.denyList === undefined;
      if (!cacheable) return createAnalyzer(options);
      const key = JSON.stringify([
        options.language ?? 'en',
        options.threshold ?? null,
        options.entities ? [...options.entities].sort() : null,
        options.recognizers ?? null,
      ]);
      const cached = entries.get(key);
      if (cached !== undefined) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        entries.delete(key);
        entries.set(key, cached);
        return cached;
      }
      // Built before insertion, so options the engine refuses are never cached.
      const analyzer = createAnalyzer(options);
      entries.set(key, analyzer);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
      return analyzer;
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * Analysis in the calling thread through a cache: the API's default when no detection pool is
 * given.
 *
 * @example
 * ```ts
 * const analyzeText = analyzeInProcess(createAnalyzerCache(64));
 * await analyzeText('mail jane@example.org', {});
 * ```
 */
export function analyzeInProcess(analyzers: AnalyzerCache): AnalyzeText {
  return async (text, options) => analyzers.get(options)(text);
}
