/**
 * The pages of a job's redacted PDF as images. Each page is fetched (an audited release) only when
 * its slot scrolls near the screen, shown from an object URL, and that URL is revoked when the
 * page closes, so no rendering outlives the view that asked for it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../errors.js';
import type { Session } from '../session.js';

/** A page already fetched: the first, which told the page count. */
export interface FirstPage {
  readonly png: Uint8Array;
  readonly pages: number;
}

/** A PNG's size from its header (IHDR), so the page keeps its place while the image decodes. */
function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  if (png.byteLength < 24) return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function PageImage(props: {
  session: Session;
  jobId: string;
  number: number;
  pages: number;
  png: Uint8Array | undefined;
}) {
  const { session, jobId, number, pages, png } = props;
  const slot = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(png !== undefined);
  const [shown, setShown] = useState<{ url: string; width?: number; height?: number } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const label = `Page ${number} of ${pages}`;

  useEffect(() => {
    if (near || slot.current === null) return undefined;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setNear(true);
      },
      { rootMargin: '200px 0px' },
    );
    observer.observe(slot.current);
    return () => observer.disconnect();
  }, [near]);

  useEffect(() => {
    if (!near) return undefined;
    const controller = new AbortController();
    let made: string | undefined;
    const show = (bytes: Uint8Array): void => {
      made = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/png' }));
      setShown({ url: made, ...pngSize(bytes) });
    };
    if (png !== undefined) show(png);
    else
      session.client.getRedactedPage(jobId, number, { signal: controller.signal }).then(
        (page) => show(page.png),
        (e: unknown) => {
          if (!controller.signal.aborted) setError(e);
        },
      );
    return () => {
      controller.abort();
      if (made !== undefined) URL.revokeObjectURL(made);
    };
  }, [near, session, jobId, number, png]);

  return (
    <li>
      <figure class="page">
        {shown === undefined ? (
          <div ref={slot} class="page-slot" aria-busy={near ? 'true' : 'false'}>
            {near ? 'Loading…' : ''}
          </div>
        ) : (
          <img src={shown.url} alt={label} loading="lazy" width={shown.width} height={shown.height} />
        )}
        <figcaption class="hint">{label}</figcaption>
      </figure>
      <ErrorNotice error={error} />
    </li>
  );
}

/**
 * The pages of the redacted PDF, page 1 from `first` and the others as they come into view.
 *
 * @example
 * ```tsx
 * <RedactedPages session={session} jobId={jobId} first={await session.client.getRedactedPage(jobId, 1)} />
 * ```
 */
export function RedactedPages({
  session,
  jobId,
  first,
}: {
  session: Session;
  jobId: string;
  first: FirstPage;
}) {
  return (
    <ol class="pages" aria-label="Pages of the redacted document">
      {Array.from({ length: first.pages }, (_, i) => (
        <PageImage
          key={i + 1}
          session={session}
          jobId={jobId}
          number={i + 1}
          pages={first.pages}
          png={i === 0 ? first.png : undefined}
        />
      ))}
    </ol>
  );
}
