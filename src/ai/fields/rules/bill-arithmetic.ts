import { labelList, type FieldCheck, type FieldSpec, type FieldValue, type Money } from '../spec.js';
import { findMoney } from '../types/money.js';
import { findLabels, tokens, type LabelHit } from './labels.js';
import { sameRow, wordsIn, type LayoutLine } from './layout.js';

/**
 * The arithmetic of a bill, as a second reading of its total: the total is the sub-total plus the
 * taxes (plus a rounding), and it is what was paid less the change. A total read where these sums
 * agree was in effect read twice, from lines OCR misread independently; a reading no sum supports
 * while another one is supported is likely the wrong line (a pre-rounding total, a misread digit).
 */

/** The part each printed amount plays in the sums, with the labels that name it, most specific first. */
const ROLES = {
  rounding: ['Rounding Adjustment', 'Rounding Adj', 'Rounding', 'Pembundaran'],
  change: ['Change Due', 'Change', 'Baki'],
  paid: ['Cash Tendered', 'Amount Tendered', 'Tendered', 'Cash', 'Tunai', 'Payment', 'Paid'],
  subtotal: [
    'Sub Total',
    'Subtotal',
    'Total Excluding',
    'Total Excl',
    'Excluding GST',
    'Excl GST',
    'Exclusive of GST',
  ],
  tax: ['Service Charge', 'Service Tax', 'GST', 'SST', 'VAT', 'Tax'],
} as const;
type Role = keyof typeof ROLES;

/** Words that make a money field a bill's total, when one of its hints holds them. */
const TOTAL_WORDS = new Set(['TOTAL', 'PAYABLE', 'DUE', 'JUMLAH']);

/** A line that includes its taxes is a total, never a tax line ("Total Incl. GST"). */
const INCLUSIVE = /\bincl(usive|uding|\.)?\b/i;

/** An amount printed for one role: in cents, and the line it sits on. */
interface Printed {
  readonly cents: number;
  readonly line: number;
}

export type BillAmounts = Readonly<Record<Role, readonly Printed[]>>;

const cents = (money: Money): number => Math.round(Number(money.amount) * 100);

/** Whether a money field is a bill's total (a hint names a total, an amount due or payable). */
export function isBillTotal(spec: FieldSpec): boolean {
  return (
    spec.type === 'money' &&
    labelList(spec.hint).some((h) => tokens(h).some((t) => TOTAL_WORDS.has(t.text.toUpperCase())))
  );
}

/** The first amount with cents right of a label: on its line, else on its row. */
function amountAfter(lines: readonly LayoutLine[], hit: LabelHit, spec: FieldSpec): number | null {
  const line = lines[hit.line]!;
  const withCents = (text: string): number | null => {
    const m = findMoney(text, spec).find((x) => x.checks.some((c) => c.name === 'decimals' && c.passed));
    return m ? cents(m.value as Money) : null;
  };
  const own = withCents(line.text.slice(hit.end));
  if (own !== null) return own;
  const right = wordsIn(line, hit.start, hit.end).at(-1)?.box ?? line.box;
  if (!right) return null;
  for (const j of sameRow(lines, hit.line, right.x + right.width)) {
    const found = withCents(lines[j]!.text);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The amounts a bill prints for its sums: each line takes the first role whose label it holds
 * (rounding, change, paid, sub-total, tax, in that order) and the first amount with cents after it.
 *
 * @example
 * ```ts
 * billAmounts(lines, spec).paid; // [{ cents: 2000, line: 31 }] for "CASH RM 20.00"
 * ```
 */
export function billAmounts(lines: readonly LayoutLine[], spec: FieldSpec): BillAmounts {
  const out: Record<Role, Printed[]> = { rounding: [], change: [], paid: [], subtotal: [], tax: [] };
  const taken = new Set<number>();
  for (const role of Object.keys(ROLES) as Role[]) {
    for (const hit of findLabels(lines, ROLES[role])) {
      if (taken.has(hit.line)) continue;
      if (role === 'tax' && INCLUSIVE.test(lines[hit.line]!.text)) continue;
      const amount = amountAfter(lines, hit, spec);
      if (amount === null) continue;
      taken.add(hit.line);
      out[role].push({ cents: amount, line: hit.line });
    }
  }
  return out;
}

/**
 * Whether the bill's printed sums give `amount` (in cents) from lines other than `line` (the
 * reading's own): sub-total plus one tax line plus an
 * optional rounding, or paid less change. A sub-total alone is a total only where a zero tax
 * is printed: without one, the sub-total is as likely the pre-tax figure a table repeats.
 *
 * @example
 * ```ts
 * sumsAgree(billAmounts(lines, spec), 7300, 14); // true when "Sub Total 68.87" and "GST 4.13" are printed
 * ```
 */
export function sumsAgree(bill: BillAmounts, amount: number, line: number): boolean {
  const other = (list: readonly Printed[]): readonly Printed[] => list.filter((p) => p.line !== line);
  const taxes = other(bill.tax).map((t) => t.cents);
  const zeroTax = taxes.includes(0);
  const roundings = [0, ...other(bill.rounding).map((r) => r.cents)];
  for (const s of other(bill.subtotal))
    for (const t of zeroTax ? [0, ...taxes] : taxes)
      if (roundings.some((r) => s.cents + t + r === amount) && s.cents + t > 0) return true;
  const changes = other(bill.change).map((c) => c.cents);
  return other(bill.paid).some((p) => changes.some((c) => p.cents - c === amount && amount > 0));
}

/** What arithmetic weighs: a reading of the total with its score and checks. */
interface Reading {
  readonly value: FieldValue;
  readonly line: number;
  readonly score: number;
  readonly checks: readonly FieldCheck[];
}

/** How much of a supported reading's doubt the sums remove, and how much of its score an unsupported one keeps. */
const SUPPORTED_DOUBT = 0.4;
const UNSUPPORTED_SHARE = 0.75;

/**
 * Readings of a bill's total weighed by its sums: when some reading is what the sums give, it
 * loses most of its doubt (a second, independent reading) and the others lose a quarter of their
 * score; when none is, all stay as they were.
 *
 * @example
 * ```ts
 * weighByArithmetic(candidates, billAmounts(lines, spec)); // the 60.30 after "ROUNDING -0.01" now outranks "TOTAL 60.31"
 * ```
 */
export function weighByArithmetic<R extends Reading>(readings: readonly R[], bill: BillAmounts): R[] {
  const agrees = readings.map((r) => sumsAgree(bill, cents(r.value as Money), r.line));
  if (!agrees.some(Boolean)) return [...readings];
  return readings.map((r, i) => ({
    ...r,
    score: agrees[i] ? 1 - (1 - r.score) * SUPPORTED_DOUBT : r.score * UNSUPPORTED_SHARE,
    checks: [...r.checks, { name: 'arithmetic', passed: agrees[i]! }],
  }));
}

/** A rounding adjustment is a few cents: cash is rounded to the nearest 5 sen, 5 cents or 0.05. */
const MAX_ROUNDING_CENTS = 4;
/** The share of its score a labelled total keeps when a rounding adjustment printed below it gives the rounded one. */
const PRE_ROUNDING_SHARE = 0.85;

/**
 * Labelled readings of a bill's total with a rounding adjustment printed below them: the bill's
 * total is then the rounded amount (what is paid), which is added as a reading of its own on the
 * same place when it lands on a multiple of 5 cents; the pre-rounding reading keeps a lesser
 * score. Receipts often print the rounded total unlabelled ("RM 60.30" under "ROUNDING ADJ -0.01"),
 * where no label finds it.
 *
 * @example
 * ```ts
 * withRounding(candidates, billAmounts(lines, spec)); // adds 60.30 beside "TOTAL 60.31" over "ROUNDING ADJ -0.01"
 * ```
 */
export function withRounding<R extends Reading & { readonly label: number }>(
  readings: readonly R[],
  bill: BillAmounts,
): R[] {
  const out: R[] = [];
  for (const r of readings) {
    const money = r.value as Money;
    const amount = cents(money);
    const adjustment =
      r.label > 0 && amount % 5 !== 0
        ? bill.rounding.find(
            (x) =>
              x.line > r.line &&
              x.cents !== 0 &&
              Math.abs(x.cents) <= MAX_ROUNDING_CENTS &&
              (amount + x.cents) % 5 === 0,
          )
        : undefined;
    if (!adjustment) {
      out.push(r);
      continue;
    }
    const rounded = amount + adjustment.cents;
    out.push({ ...r, score: r.score * PRE_ROUNDING_SHARE });
    out.push({
      ...r,
      value: { ...money, amount: (rounded / 100).toFixed(2) },
      checks: [...r.checks, { name: 'rounding', passed: true }],
    });
  }
  return out;
}
