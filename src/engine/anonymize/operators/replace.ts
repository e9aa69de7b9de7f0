import { VeilError } from '../../../errors/veil-error.js';
import type { Operator, ReplaceConfig } from '../types.js';

/**
 * Replaces a value with a numbered, typed tag (`<PERSON_1>`) or with a fixed text. Tags come from
 * the call's TagScope, so the same value keeps the same tag in a document or across a scope.
 */
export const replaceOperator: Operator<ReplaceConfig> = {
  name: 'replace',
  needs: [],
  validate(config, path) {
    if (config.value !== undefined && typeof config.value !== 'string')
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.value: expected a string`);
  },
  apply(value, config, env) {
    return config.value ?? env.tags.tagFor(env.type, value);
  },
};
