/** Small display helpers. */

/** `{ EMAIL_ADDRESS: 2, PERSON: 1 }` as `EMAIL_ADDRESS 2 · PERSON 1`. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? 'none' : entries.map(([type, n]) => `${type} ${n}`).join(' · ');
}

/** `1 job`, `3 jobs`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A time as the reader's local date and time. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

/** How long until `iso`: `in 6 days`, `in 3 hours`, `due now`. */
export function countdown(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (ms <= 0) return 'due now';
  const hours = ms / 3_600_000;
  if (hours < 1) return `in ${Math.ceil(ms / 60_000)} min`;
  if (hours < 48) return `in ${Math.round(hours)} hours`;
  return `in ${Math.round(hours / 24)} days`;
}

/** Offers bytes as a file download (a Blob URL, revoked once used). */
export function download(name: string, bytes: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
