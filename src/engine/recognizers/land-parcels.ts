/**
 * Land registry references: the numbers of plots, parcels, sheets and blocks ("plot no. 305",
 * "plots nos. 38, 52, 402/2 and 611", "parcel no. 517/2"). A land register names each
 * parcel's owner, so its number identifies a person as a case number does.
 */
import type { Finding, Recognizer, TextWindow, Trigger } from '../types.js';

/** One parcel number: "260", "402/2", "214/7/1", "77.5", "K-2291", "90A". */
const PARCEL = '(?:[A-Z]-?)?\\d+(?:[/.-]\\d+)*[A-Z]?';

/**
 * The register's word, its number label and a list of numbers ("plots nos. 260, 268 and 425").
 * The numbers, without the words around them, are what the register keys on.
 */
const REFERENCE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:plots?|parcels?|sheets?(?:/plan)?|blocks?|cadastral\\s(?:plots?|parcels?))\\s(?:nos?\\.|numbers?|n°)\\s?(${PARCEL}(?:(?:,\\s?|\\sand\\s)${PARCEL})*)(?![\\p{L}\\p{N}]|[/.-]\\d)`,
  'gdiu',
);

/** One number of the list, found inside it. */
const ITEM = new RegExp(PARCEL, 'g');

const PARCEL_TRIGGER: Trigger = {
  kind: 'pattern',
  id: 'landParcel',
  pattern: /plot|parcel|sheet|block/gi,
  margin: 160,
};

/**
 * Reports each parcel number of a land registry reference as `LAND_PARCEL`.
 *
 * @example
 * ```ts
 * const text = 'the plots nos. 38, 402/2 and 611';
 * landParcelRecognizer.find(text, { start: 0, end: text.length });
 * // LAND_PARCEL findings for "38", "402/2" and "611"
 * ```
 */
export const landParcelRecognizer: Recognizer = {
  name: 'land-parcel',
  entities: ['LAND_PARCEL'],
  trigger: PARCEL_TRIGGER,
  find(text: string, window: TextWindow): Finding[] {
    const found: Finding[] = [];
    const slice = text.slice(window.start, window.end);
    REFERENCE.lastIndex = 0;
    for (let match = REFERENCE.exec(slice); match !== null; match = REFERENCE.exec(slice)) {
      const list = match.indices?.[1];
      if (!list) continue;
      const [from, to] = list;
      ITEM.lastIndex = 0;
      const items = slice.slice(from, to);
      for (let item = ITEM.exec(items); item !== null; item = ITEM.exec(items))
        found.push({
          type: 'LAND_PARCEL',
          start: window.start + from + item.index,
          end: window.start + from + item.index + item[0].length,
          score: 0.7,
          recognizer: 'land-parcel',
        });
    }
    return found;
  },
};
