import type { KeepConfig, Operator } from '../types.js';

/** Leaves a value unchanged; the item records that the finding was seen and kept on purpose. */
export const keepOperator: Operator<KeepConfig> = {
  name: 'keep',
  needs: [],
  validate() {},
  apply(value) {
    return value;
  },
};
