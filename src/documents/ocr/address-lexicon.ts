import { MALAYSIAN_PLACE_WORDS } from './place-names.js';
/**
 * Words of Malaysian postal addresses and receipt letterheads, from general knowledge (never from
 * evaluation receipts): the words that make up street and area names, the states and federal
 * territories with their honorific titles, the state capitals, and the words of company names and
 * receipt headings; and the words of the country's town names (`place-names.ts`, a gazetteer).
 * PP-OCR's low-confidence readings are checked against it (`ctc-lexicon.ts`).
 */
export const ADDRESS_LEXICON: ReadonlySet<string> = new Set(
  `
  JALAN JLN LORONG LRG PERSIARAN LEBUH LEBUHRAYA LINGKARAN LENGKOK JALUR
  TAMAN TMN KAMPUNG KAMPONG BANDAR PEKAN PUSAT PERNIAGAAN PERDAGANGAN KAWASAN PERINDUSTRIAN PERUSAHAAN
  KOMPLEKS PLAZA MENARA WISMA BANGUNAN BLOK BLOCK LOT TINGKAT ARAS FLOOR GROUND FIRST SECOND THIRD
  UNIT SUITE SEKSYEN SECTION BATU MILE
  UTARA SELATAN TIMUR BARAT TENGAH BESAR KECIL BARU LAMA INDAH JAYA UTAMA PERDANA MUTIARA
  SRI SERI DESA SETIA MEWAH MAKMUR MAJU
  JOHOR KEDAH KELANTAN MELAKA MALACCA NEGERI SEMBILAN PAHANG PENANG PULAU PINANG PERAK PERLIS
  SABAH SARAWAK SELANGOR TERENGGANU KUALA LUMPUR LABUAN PUTRAJAYA WILAYAH PERSEKUTUAN
  DARUL EHSAN TAKZIM AMAN NAIM RIDZUAN KHUSUS MAKMUR HANA
  BAHRU SHAH ALAM IPOH GEORGE TOWN ALOR SETAR KOTA BHARU KUANTAN SEREMBAN KANGAR KINABALU KUCHING
  MALAYSIA
  SDN BHD BERHAD ENTERPRISE ENTERPRISES TRADING RESTORAN RESTAURANT HARDWARE STATIONERY BOOKS
  MART SUPERMARKET HYPERMARKET MARKETING SERVICES INDUSTRIES HOLDINGS CORPORATION COMPANY
  TAX INVOICE RECEIPT SIMPLIFIED CASH TOTAL
`
    .trim()
    .split(/\s+/)
    .concat(MALAYSIAN_PLACE_WORDS),
);

/** Which lexicon PP-OCR's doubtful readings are checked against: `VEIL_OCR_LEXICON`. */
export const OCR_LEXICONS = ['malaysia', 'none'] as const;

/** `malaysia`: {@link ADDRESS_LEXICON}; `none`: no lexicon, every word as the model read it. */
export type OcrLexiconChoice = (typeof OCR_LEXICONS)[number];

/**
 * The word set a lexicon choice names, or null for `none`.
 *
 * @example
 * ```ts
 * createPaddleOcr({ lexicon: namedLexicon(config.VEIL_OCR_LEXICON) });
 * ```
 */
export function namedLexicon(choice: OcrLexiconChoice): ReadonlySet<string> | null {
  return choice === 'malaysia' ? ADDRESS_LEXICON : null;
}

/**
 * The lexicon an engine option names: {@link ADDRESS_LEXICON} when unset, none for `null`.
 *
 * @example
 * ```ts
 * lexiconOption(options.lexicon); // ADDRESS_LEXICON when the caller set none
 * ```
 */
export function lexiconOption(lexicon: ReadonlySet<string> | null | undefined): ReadonlySet<string> | null {
  return lexicon === undefined ? ADDRESS_LEXICON : lexicon;
}
