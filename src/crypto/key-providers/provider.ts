/**
 * The port through which Veil reaches its key-encryption key (KEK). A provider wraps and unwraps
 * data keys; it never hands out the KEK itself. Implementations must keep key material out of
 * every log line and error message, and report an unwrap failure as `VEIL_DECRYPTION_FAILED`
 * and a configuration or transport failure as `VEIL_KEY_PROVIDER`.
 */

/**
 * Non-secret facts a wrapped key is bound to (tenant, key scope, version). A provider must make
 * unwrap fail when the context differs from the one given to wrap: AES-GCM AAD for the local
 * drivers, `associated_data` for Vault Transit, `EncryptionContext` for KMS.
 */
export type WrapContext = Readonly<Record<string, string>>;

/** A key-encryption key held by a local file, an environment variable, Vault or a KMS. */
export interface KeyEncryptionKeyProvider {
  /** Stable id stored beside each wrapped key, so the keyring knows which provider unwraps it. */
  readonly id: string;
  /** Human-readable name for logs and `veil keys list`. */
  readonly name: string;
  /**
   * Where the KEK lives, as the operator labels regions (`VEIL_KEK_REGION`, e.g. `eu`); absent
   * when undeclared. A deployment or tenant pinned to a region uses only a provider declaring
   * that same region ({@link assertKeyProviderRegion}).
   */
  readonly region?: string;
  /** Wraps (encrypts) a data key; the result is opaque bytes to store. */
  wrapKey(dataKey: Uint8Array, context: WrapContext): Promise<Uint8Array>;
  /** Unwraps bytes made by `wrapKey` with the same context. */
  unwrapKey(wrapped: Uint8Array, context: WrapContext): Promise<Uint8Array>;
}
