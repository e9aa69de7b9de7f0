import type { Operator, RedactConfig } from '../types.js';

/** Removes a value entirely; the item still records where it was. */
export const redactOperator: Operator<RedactConfig> = {
  name: 'redact',
  needs: [],
  validate() {},
  apply() {
    return '';
  },
};
