import { Option, type Command } from 'commander';
import type { ProgressEvent } from '../../documents/parsers/context.js';
import { cli } from '../context.js';

interface ExtractFlags {
  json?: boolean;
  ocr: 'auto' | 'always' | 'never';
}

/**
 * A progress bar on stderr for multi-page work, shown only on a terminal and only once a document
 * turns out to have more than one page. Returns the callback to pass as `onProgress` and a
 * function that removes the bar.
 *
 * @example
 * ```ts
 * const progress = await pageProgress();
 * try { await redactDocument(bytes, { onProgress: progress.update }); } finally { progress.stop(); }
 * ```
 */
export async function pageProgress(): Promise<{ update: (event: ProgressEvent) => void; stop: () => void }> {
  const { stderr } = cli();
  if (!(stderr as { isTTY?: boolean }).isTTY) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      stream: stderr,
      format: '{stage} [{bar}] {value}/{total} pages',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (event) => {
      if (event.pages < 2) return;
      if (!started) {
        bar.start(event.pages, 0, { stage: event.stage });
        started = true;
      }
      bar.setTotal(event.pages);
      bar.update(event.page, { stage: event.stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/**
 * `veil extract FILE [--json]`: prints the document's text as Veil sees it (text layer or OCR);
 * with `--json`, pages with words and boxes, tables and records. It is meant for checks and
 * debugging on the user's own machine: the output is the document's content.
 */
export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description(
      "print a document's text (PDF, image, DOCX, e-mail, CSV, JSON, text); --json adds pages, words and boxes",
    )
    .argument('<file>', 'the document to read (its type is detected from its content)')
    .option('--json', 'print pages, words with boxes, tables and records as JSON')
    .addOption(
      new Option('--ocr <mode>', 'which PDF pages to OCR')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .action(async (file: string, flags: ExtractFlags) => {
      // The parsers (pdf.js, sharp, tesseract.js) load only for commands that read documents.
      const { closeDocumentResources, documentText, parseDocument, readDocumentFile } =
        await import('../../documents/index.js');
      const { configureDocumentCommand } = await import('../settings.js');
      await configureDocumentCommand();
      const progress = await pageProgress();
      try {
        const doc = await parseDocument(await readDocumentFile(file), {
          ocrMode: flags.ocr,
          onProgress: progress.update,
        });
        progress.stop();
        if (!flags.json) {
          cli().stdout.write(`${documentText(doc).text}\n`);
          return;
        }
        const round = (n: number): number => Math.round(n * 100) / 100;
        const pages = doc.pages.map((page) => ({
          number: page.number,
          width: round(page.width),
          height: round(page.height),
          unit: page.unit,
          source: page.source,
          ...(page.origin ? { origin: page.origin } : {}),
          lines: page.lines.map((line) =>
            line.words.map((w) => ({
              text: w.text,
              ...(w.box
                ? { box: [round(w.box.x), round(w.box.y), round(w.box.width), round(w.box.height)] }
                : {}),
              ...(w.confidence !== undefined ? { confidence: round(w.confidence) } : {}),
            })),
          ),
        }));
        cli().stdout.write(
          `${JSON.stringify({ format: doc.format, mediaType: doc.mediaType, pages, tables: doc.tables, records: doc.records }, null, 2)}\n`,
        );
      } finally {
        progress.stop();
        await closeDocumentResources();
      }
    });
}
