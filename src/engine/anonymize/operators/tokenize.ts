import { VeilError } from '../../../errors/veil-error.js';
import type { Operator, TokenizeConfig } from '../types.js';

/**
 * Replaces the value with the vault's deterministic token for (tenant, scope, subject, type,
 * value); an authorised caller with the vault resolves it back.
 */
export const tokenizeOperator: Operator<TokenizeConfig> = {
  name: 'tokenize',
  needs: ['vault'],
  validate() {},
  apply(value, _config, env) {
    return env.vault!.tokenFor({
      tenant: env.tenant,
      scope: env.scope,
      subject: env.subject,
      type: env.type,
      value,
    });
  },
  async reverse(token, _config, env) {
    const entry = await env.vault!.valueFor(env.tenant, token);
    // Unknown, forgotten (crypto-shredded) and foreign-tenant tokens are indistinguishable on purpose.
    if (!entry || entry.type !== env.type)
      throw new VeilError(
        'VEIL_TOKEN_NOT_FOUND',
        'deanonymize: a token does not resolve in this tenant (unknown, or its subject was forgotten)',
      );
    return entry.value;
  },
};
