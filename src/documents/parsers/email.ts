import { convert } from 'html-to-text';
import PostalMime, { type Address } from 'postal-mime';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import type { Document, Page, RecordSet, Table } from '../model.js';
import type { ParseContext } from './context.js';
import { textLines } from './text.js';

/** Parses one attachment; the dispatcher passes itself in, which keeps the modules acyclic. */
export type ParseAttachment = (bytes: Uint8Array, context: ParseContext) => Promise<Document>;

const address = (list: Address | readonly Address[] | undefined): string =>
  (Array.isArray(list) ? list : list ? [list] : [])
    .flatMap((a: Address) => ('group' in a && a.group ? a.group : [a]))
    .map((m) => ('address' in m ? (m.name ? `${m.name} <${m.address}>` : (m.address ?? '')) : ''))
    .filter(Boolean)
    .join(', ');

/**
 * The text of an HTML body, for messages without a text part: html-to-text parses it (a linear
 * parser, so no crafted body can make it backtrack), decodes every entity ("jane&#64;example.org"
 * must read as an address), drops scripts and styles, keeps block breaks, and keeps link targets
 * beside their text, since a mailto or URL can hold personal data too.
 */
function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      // Cells side by side with spaces between ("Name   Ann Lee"), never run together.
      {
        selector: 'table',
        format: 'dataTable',
        options: { uppercaseHeaderCells: false, maxColumnWidth: 10_000 },
      },
      // Headings keep their case: an upper-cased name reads differently to detection.
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
        selector,
        options: { uppercase: false },
      })),
    ],
  });
}

/**
 * Parses an e-mail (.eml): the address and subject headers and the body become the first page;
 * each attachment is parsed by content type, recursively up to `limits.maxAttachmentDepth`, and its
 * pages, tables and records follow (pages are renumbered). Attachments of unsupported types are
 * left out: they are neither analysed nor copied to any output.
 *
 * @example
 * ```ts
 * const doc = await parseEmail(bytes, context, parseDocumentBytes);
 * ```
 */
export async function parseEmail(
  bytes: Uint8Array,
  context: ParseContext,
  parseAttachment: ParseAttachment,
): Promise<Document> {
  let email;
  try {
    email = await PostalMime.parse(bytes, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
      maxNestingDepth: 64,
    });
  } catch (cause) {
    throw new VeilError('VEIL_MALFORMED_DOCUMENT', 'e-mail could not be parsed', { cause });
  }
  const header = [
    ['From', address(email.from)],
    ['To', address(email.to)],
    ['Cc', address(email.cc)],
    ['Reply-To', address(email.replyTo)],
    ['Date', email.date ?? ''],
    ['Subject', email.subject ?? ''],
  ]
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}: ${value}`);
  const body = email.text ?? (email.html ? htmlToText(email.html) : '');
  const pages: Page[] = [
    {
      number: 1,
      width: 0,
      height: 0,
      unit: null,
      source: 'text',
      lines: textLines([...header, '', body].join('\n')),
    },
  ];
  const tables: Table[] = [];
  const records: RecordSet[] = [];

  if (email.attachments.length > 0 && context.depth + 1 > context.limits.maxAttachmentDepth)
    throw new VeilError(
      'VEIL_LIMIT_DEPTH',
      `attachments nest deeper than limits.maxAttachmentDepth (${context.limits.maxAttachmentDepth})`,
    );
  let index = 0;
  for (const attachment of email.attachments) {
    index++;
    const content = attachment.content;
    const data =
      typeof content === 'string'
        ? new TextEncoder().encode(content)
        : content instanceof Uint8Array
          ? content
          : new Uint8Array(content);
    let inner: Document;
    try {
      inner = await parseAttachment(data, { ...context, depth: context.depth + 1 });
    } catch (error) {
      if (isVeilError(error) && error.code === 'VEIL_UNSUPPORTED_TYPE') continue;
      throw error;
    }
    // Named by position, never by file name: file names can themselves be personal data.
    const origin = `attachment ${index}`;
    for (const page of inner.pages) {
      if (pages.length >= context.limits.maxPages)
        throw new VeilError(
          'VEIL_LIMIT_PAGES',
          `e-mail and attachments exceed limits.maxPages (${context.limits.maxPages})`,
        );
      pages.push({
        ...page,
        number: pages.length + 1,
        origin: page.origin ? `${origin}/${page.origin}` : origin,
      });
    }
    tables.push(...inner.tables.map((t) => ({ ...t, origin })));
    records.push(...inner.records.map((r) => ({ ...r, origin })));
  }
  return { format: 'email', mediaType: 'message/rfc822', pages, tables, records };
}
