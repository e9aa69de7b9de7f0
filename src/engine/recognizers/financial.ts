import { bech32, base58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { isValidBIC, isValidIBAN, electronicFormatIBAN } from 'ibantools';
import { TRIGGERS } from '../scan/triggers.js';
import type { Recognizer } from '../types.js';
import { compact, luhn } from '../validators/checksums.js';
import { guarded } from '../scan/guard.js';
import { patternRecognizer } from './pattern.js';

/** Issuer prefixes (IIN ranges) of the major card schemes, with their lengths. */
const CARD_SCHEMES: readonly { prefix: RegExp; lengths: readonly number[] }[] = [
  { prefix: /^4/, lengths: [13, 16, 19] }, // Visa
  { prefix: /^(?:5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720))/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(?:6011|65|64[4-9]|622)/, lengths: [16, 19] }, // Discover
  { prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 19] }, // JCB
  { prefix: /^3(?:0[0-5]|[689])/, lengths: [14, 16, 19] }, // Diners Club
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
  { prefix: /^(?:5018|5020|5038|5893|6304|6759|676[1-3])/, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
];

/**
 * True when `value` is a payment card number: a known scheme prefix and length, and a valid
 * Luhn check digit.
 *
 * @example
 * ```ts
 * isCardNumber('4111 1111 1111 1111'); // true
 * ```
 */
export function isCardNumber(value: string): boolean {
  const digits = compact(value);
  if (!/^\d{12,19}$/.test(digits) || /^(\d)\1+$/.test(digits)) return false;
  return CARD_SCHEMES.some((s) => s.prefix.test(digits) && s.lengths.includes(digits.length)) && luhn(digits);
}

const creditCard = patternRecognizer({
  name: 'credit-card',
  entity: 'CREDIT_CARD',
  patterns: [{ regex: /(?<![\p{N}-])\d(?:[ -]?\d){11,18}(?![\p{N}]|-\d)/u, score: 0.3 }],
  validator: isCardNumber,
  validatedScore: 0.95,
  context: ['credit', 'card', 'visa', 'mastercard', 'amex', 'cc', 'payment', 'debit'],
});

const iban = patternRecognizer({
  name: 'iban',
  entity: 'IBAN_CODE',
  patterns: [
    // Printed in groups of four (ISO 13616) or compact: the groups keep a following word out
    // ("DE89 3704 0044 0532 0130 00 for Hans"), which the free pattern below would swallow and
    // then fail the checksum on.
    {
      regex: guarded(
        '[A-Z]{2}\\d\\d',
        /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/u,
      ),
      score: 0.3,
    },
    // Any spacing and lower case.
    {
      regex: guarded(
        '[A-Z]{2}\\d\\d',
        /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\p{L}\p{N}])/iu,
      ),
      score: 0.3,
    },
  ],
  validator: (value) => isValidIBAN(electronicFormatIBAN(value.toUpperCase()) ?? ''),
  validatedScore: 1,
  context: ['iban', 'bank', 'account', 'transfer', 'sepa'],
});

const swift = patternRecognizer({
  name: 'swift',
  entity: 'SWIFT_CODE',
  patterns: [
    { regex: /(?<![\p{L}\p{N}])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![\p{L}\p{N}])/u, score: 0.05 },
  ],
  validator: isValidBIC,
  validatedScore: 0.1,
  context: ['swift', 'bic', 'bank identifier'],
  trigger: TRIGGERS.all,
});

/** Bitcoin Base58Check (P2PKH, P2SH) and Bech32/Bech32m (SegWit), and Ethereum addresses. */
const cryptoTrigger = {
  kind: 'pattern',
  id: 'crypto',
  pattern: /\b(?:bc1|tb1|[13][1-9A-HJ-NP-Za-km-z]{8}|0x[0-9a-fA-F]{8})/g,
  margin: 96,
} as const;
const base58 = base58check(sha256);

function isBitcoinAddress(value: string): boolean {
  try {
    if (/^(?:bc1|tb1)/i.test(value)) {
      const decoded = bech32.decode(value.toLowerCase() as `${string}1${string}`);
      return decoded.prefix === 'bc' || decoded.prefix === 'tb';
    }
    const payload = base58.decode(value);
    return payload.length === 21 && (payload[0] === 0x00 || payload[0] === 0x05);
  } catch {
    return isBech32m(value);
  }
}

function isBech32m(value: string): boolean {
  try {
    return (
      /^bc1p/i.test(value) &&
      value.length >= 42 &&
      value.length <= 90 &&
      /^bc1[02-9ac-hj-np-z]+$/i.test(value)
    );
  } catch {
    return false;
  }
}

const crypto = patternRecognizer({
  name: 'crypto-wallet',
  entity: 'CRYPTO',
  patterns: [
    {
      regex:
        /(?<![\p{L}\p{N}])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|tb1)[02-9ac-hj-np-z]{11,87})(?![\p{L}\p{N}])/iu,
      score: 0.3,
    },
  ],
  validator: isBitcoinAddress,
  validatedScore: 1,
  context: ['bitcoin', 'btc', 'wallet', 'crypto', 'address'],
  trigger: cryptoTrigger,
});

const ethereum = patternRecognizer({
  name: 'ethereum-wallet',
  entity: 'CRYPTO',
  patterns: [{ regex: /(?<![\p{L}\p{N}])0x[0-9a-fA-F]{40}(?![\p{L}\p{N}])/u, score: 0.6 }],
  context: ['ethereum', 'eth', 'wallet', 'address'],
  trigger: cryptoTrigger,
});

/** ABA routing transit numbers: 9 digits with the 3-7-1 weighted checksum. */
function isAbaRouting(value: string): boolean {
  const d = compact(value);
  if (!/^(?:0[0-9]|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)\d{7}$/.test(d)) return false;
  const w = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * w[i]!;
  return sum % 10 === 0;
}

const abaRouting = patternRecognizer({
  name: 'aba-routing',
  entity: 'US_ABA_ROUTING',
  patterns: [{ regex: /(?<![\p{N}-])\d{4}-?\d{4}-?\d(?![\p{N}]|-\d)/u, score: 0.05 }],
  validator: isAbaRouting,
  validatedScore: 0.3,
  context: ['routing', 'aba', 'rtn', 'transit', 'bank'],
});

const bankAccount = patternRecognizer({
  name: 'us-bank-account',
  entity: 'US_BANK_NUMBER',
  patterns: [{ regex: /(?<![\p{N}-])\d{8,17}(?![\p{N}]|-\d)/u, score: 0.05 }],
  context: ['account', 'acct', 'bank', 'checking', 'savings', 'deposit'],
});

/**
 * ISO 4217 codes: current ones, and the European currencies the euro replaced (ATS, DEM, FRF, …)
 * with the Turkish lira's 2005-2008 code (YTL), which court records of that time still cite.
 */
const CURRENCY_CODE =
  '(?:USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|SGD|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|TRY|TRL|YTL|RUB|UAH|ZAR|BRL|MXN|NZD|HKD|ISK|HRK|RSD|MKD|BAM|GEL|AMD|AZN|MDL|ILS|ATS|DEM|FRF|ITL|ESP|NLG|BEF|LUF|GRD|PTE|FIM|IEP|CYP|MTL|SIT|SKK|EEK|LVL|LTL)';
/** Currency names, each with a lower or an upper first letter ("euros", "Euros"). */
const CURRENCY_WORD = eitherCase([
  'dollars?',
  'euros?',
  'pounds?(?: sterling)?',
  'francs?',
  'yen',
  'rupees?',
  'liras?',
  'lire',
  'kronor',
  'kroner',
  'krona',
  'zlotys?',
  'forints?',
  'roubles?',
  'rubles?',
  'cents?',
  'schillings?',
  'drachmas?',
  'escudos?',
  'pesetas?',
  'guilders?',
  'dinars?',
  'kunas?',
  'tolars?',
  'shekels?',
  'hryvnias?',
]);
/**
 * A currency named by its country ("Turkish liras", "New Turkish liras", "Polish zlotys") or by a
 * name that is an everyday word alone ("Deutsche Mark", "GDR marks"): the mark is read only there.
 */
const NAMED_CURRENCY = `(?:New\\s|Old\\s)?(?:\\p{Lu}[\\p{L}]+\\s){1,2}(?:${CURRENCY_WORD}|[Mm]arks?)`;
const AMOUNT = '\\d{1,3}(?:[,. ]\\d{3})*(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?';
const MAGNITUDE = '(?:\\s(?:million|billion|thousand))';
/** One amount: "GBP 268,000", "€ 1.800,50", "4,393 pounds sterling (GBP)", "730 GDR marks". */
const ONE_AMOUNT = `(?:(?:${CURRENCY_CODE}|[$€£¥₹])\\s?(?:${AMOUNT})(?:\\s?(?:million|billion|thousand|m|bn|k))?|(?:${AMOUNT})${MAGNITUDE}?\\s(?:${NAMED_CURRENCY}|${CURRENCY_WORD}|${CURRENCY_CODE})(?:\\s\\(${CURRENCY_CODE}\\))?)`;
const ROUGHLY = '(?:approx(?:imately|\\.)|about|around|almost|nearly|some|over)\\s';
/**
 * The same sum in another currency, in brackets after it: "(approximately 4,100 euros (EUR))",
 * "[approx. EUR 138]", "(SEK; about 310,000 euros)", "(TRY ‑ approximately 7,300 euros (EUR))".
 */
const EQUIVALENT = `\\s?[(\\[](?:${CURRENCY_CODE}\\s?[;,–‑-]\\s?)?(?:${ROUGHLY})?${ONE_AMOUNT}[)\\]]`;

/**
 * Amounts of money ("GBP 268,000", "€ 1.800,50", "4,393 pounds sterling (GBP)"). A salary, an
 * award or a debt can single a person out, so amounts are quasi-identifiers. A sum with its
 * equivalent in another currency is one amount, and so is a word that makes it approximate.
 */
const money = patternRecognizer({
  name: 'money',
  entity: 'MONEY',
  patterns: [
    // First-character look-ahead before the look-behind: the engine skips ahead to candidates (5x faster).
    {
      regex: guarded(
        '[(\\dA-Z$€£¥₹aosn]',
        new RegExp(
          `(?<![\\p{L}\\p{N}.,])(?:\\(${ROUGHLY}${ONE_AMOUNT}\\)|(?:${ROUGHLY})?${ONE_AMOUNT}(?:${EQUIVALENT})?)(?![\\p{L}\\p{N}]|[.,]\\d)`,
          'u',
        ),
      ),
      score: 0.9,
    },
  ],
  context: ['paid', 'salary', 'award', 'damages', 'compensation', 'fee', 'debt', 'income', 'amount'],
  trigger: TRIGGERS.money,
});

/** Each word of `words` (regex fragments starting with a lower-case letter) with either first letter. */
function eitherCase(words: readonly string[]): string {
  return `(?:${words.map((w) => `[${w[0]!}${w[0]!.toUpperCase()}]${w.slice(1)}`).join('|')})`;
}

/** Payment cards, IBAN, BIC, crypto wallets, US bank numbers and amounts of money. */
export const FINANCIAL_RECOGNIZERS: readonly Recognizer[] = [
  creditCard,
  iban,
  swift,
  crypto,
  ethereum,
  abaRouting,
  bankAccount,
  money,
];
