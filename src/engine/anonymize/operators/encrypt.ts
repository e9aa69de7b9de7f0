import type { EncryptConfig, Operator, OperatorEnv } from '../types.js';

// The entity type is part of the key scope, so a ciphertext moved to a finding of another type
// does not decrypt.
function scopeOf(env: OperatorEnv): string {
  return `${env.tenant}/encrypt/${env.type}`;
}

/** Authenticated encryption of the value to a base64url token; reversed with the same keys. */
export const encryptOperator: Operator<EncryptConfig> = {
  name: 'encrypt',
  needs: ['keys'],
  validate() {},
  apply(value, _config, env) {
    return env.keys!.encrypt(scopeOf(env), value);
  },
  reverse(value, _config, env) {
    return env.keys!.decrypt(scopeOf(env), value);
  },
};
