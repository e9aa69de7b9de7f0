import { TRIGGERS } from '../scan/triggers.js';
import type { Recognizer } from '../types.js';
import { patternRecognizer } from './pattern.js';

/**
 * Credentials: cloud and SaaS keys with fixed prefixes, JSON Web Tokens, PEM private-key blocks,
 * and values assigned to password/secret/token/API-key settings. Prefixed keys are distinctive,
 * so they score high on their own.
 */
const secret = patternRecognizer({
  name: 'secret',
  entity: 'SECRET',
  patterns: [
    {
      regex:
        /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]{16,8000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/u,
      score: 1,
    },
    { regex: /(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Z0-9])/u, score: 0.95 },
    {
      regex:
        /(?<![\p{L}\p{N}_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![\p{L}\p{N}_])/u,
      score: 0.95,
    },
    { regex: /(?<![\p{L}\p{N}])xox[abposr]-[A-Za-z0-9-]{10,255}(?![\p{L}\p{N}])/u, score: 0.95 },
    { regex: /(?<![\p{L}\p{N}_])(?:sk|rk)_live_[A-Za-z0-9]{16,255}(?![\p{L}\p{N}_])/u, score: 0.95 },
    { regex: /(?<![\p{L}\p{N}_])AIza[0-9A-Za-z_-]{35}(?![\p{L}\p{N}_-])/u, score: 0.9 },
    { regex: /(?<![\p{L}\p{N}_])glpat-[A-Za-z0-9_-]{20,64}(?![\p{L}\p{N}_-])/u, score: 0.95 },
    { regex: /(?<![\p{L}\p{N}_])npm_[A-Za-z0-9]{36}(?![\p{L}\p{N}_])/u, score: 0.9 },
    { regex: /(?<![\p{L}\p{N}_])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\p{L}\p{N}_-])/u, score: 0.95 },
    { regex: /(?<![\p{L}\p{N}_-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,255}(?![\p{L}\p{N}_-])/u, score: 0.7 },
    {
      regex:
        /(?<![\p{L}\p{N}_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,1024}(?![\p{L}\p{N}_-])/u,
      score: 0.85,
    },
    {
      regex:
        /(?<=\b(?:password|passwd|pwd|pass|secret|client_secret|token|access_token|auth_token|api[_-]?key|apikey|private_key)["']?\s*[:=]\s*["']?)[^\s"',;]{6,256}/iu,
      score: 0.7,
    },
  ],
  trigger: TRIGGERS.secret,
});

/** Secrets and credentials. */
export const SECRET_RECOGNIZERS: readonly Recognizer[] = [secret];
