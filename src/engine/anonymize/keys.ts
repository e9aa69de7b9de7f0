/**
 * Key operations that keyed anonymisation operators need. The engine does no I/O and holds no
 * key material: a caller (src/crypto/operator-keys.ts in Node) passes an implementation in.
 * `scope` separates key domains (tenant, subject, job); implementations derive per-scope subkeys.
 */
export interface OperatorKeys {
  /** HMAC-SHA256 of `data` under the scope's key, hex encoded. */
  hmac(scope: string, data: string): string;
  /** Reversible authenticated encryption of `plaintext`; returns a base64url token. */
  encrypt(scope: string, plaintext: string): string;
  /** Inverse of encrypt; throws a VeilError VEIL_DECRYPTION_FAILED on any failure. */
  decrypt(scope: string, token: string): string;
  /** FF3-1 format-preserving encryption of a digit string (radix 10), tweak from the scope. */
  fpeEncrypt(scope: string, digits: string): string;
  fpeDecrypt(scope: string, digits: string): string;
}
