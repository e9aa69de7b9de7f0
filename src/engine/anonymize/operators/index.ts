import type { Operator, OperatorConfig, OperatorName } from '../types.js';
import { customOperator } from './custom.js';
import { dateShiftOperator } from './date-shift.js';
import { encryptOperator } from './encrypt.js';
import { fpeOperator } from './fpe.js';
import { generalizeOperator } from './generalize.js';
import { hashOperator } from './hash.js';
import { keepOperator } from './keep.js';
import { maskOperator } from './mask.js';
import { redactOperator } from './redact.js';
import { replaceOperator } from './replace.js';
import { tokenizeOperator } from './tokenize.js';

/** Every operator by name. */
export const OPERATORS: { readonly [K in OperatorName]: Operator<Extract<OperatorConfig, { operator: K }>> } =
  {
    replace: replaceOperator,
    redact: redactOperator,
    mask: maskOperator,
    hash: hashOperator,
    encrypt: encryptOperator,
    tokenize: tokenizeOperator,
    fpe: fpeOperator,
    date_shift: dateShiftOperator,
    generalize: generalizeOperator,
    keep: keepOperator,
    custom: customOperator,
  };

/** The operators whose output `deanonymize` can turn back into the original value. */
export const REVERSIBLE_OPERATORS: readonly OperatorName[] = (
  Object.keys(OPERATORS) as OperatorName[]
).filter((name) => OPERATORS[name].reverse !== undefined);
