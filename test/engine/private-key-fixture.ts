/** A synthetic PEM private-key block of 48 base64 lines (no real key): long enough to cross a chunked pass's edge. */
export function syntheticPrivateKey(): string {
  const line = (k: number) =>
    Array.from(
      { length: 64 },
      (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[(i * 7 + k * 13) % 64],
    ).join('');
  return [
    '-----BEGIN RSA PRIVATE KEY-----',
    ...Array.from({ length: 48 }, (_, k) => line(k)),
    '-----END RSA PRIVATE KEY-----',
  ].join('\n');
}
