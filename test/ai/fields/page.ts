import type { Document, Line } from '../../../src/documents/model.js';

/** A one-page document from lines of text, each line 20 px tall, words 10 px per character, confidence 0.95 (as OCR gives). */
export function page(rows: readonly (readonly [number, number, string])[], height = 600): Document {
  const lines: Line[] = rows.map(([x, y, text]) => {
    let at = x;
    return {
      words: text.split(' ').map((w, i) => {
        const word = {
          text: w,
          box: { x: at, y, width: w.length * 10, height: 20 },
          spaceBefore: i > 0,
          confidence: 0.95,
        };
        at += (w.length + 1) * 10;
        return word;
      }),
    };
  });
  return {
    format: 'image',
    mediaType: 'image/png',
    pages: [{ number: 1, width: 500, height, unit: 'px', source: 'ocr', lines }],
    tables: [],
    records: [],
  };
}
