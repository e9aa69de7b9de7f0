import { VeilError } from '../../../errors/veil-error.js';
import type { CustomConfig, Operator } from '../types.js';

/** Runs a caller-supplied function; its result must be a string. */
export const customOperator: Operator<CustomConfig> = {
  name: 'custom',
  needs: [],
  validate(config, path) {
    if (typeof config.apply !== 'function')
      throw new VeilError('VEIL_INVALID_OPTION', `${path}.apply: expected a function`);
  },
  async apply(value, config, env) {
    const out = await config.apply(value, env.type);
    // The message names the type only: the function's output may be the value itself.
    if (typeof out !== 'string')
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `anonymize: the custom operator for ${env.type} must return a string`,
      );
    return out;
  },
};
