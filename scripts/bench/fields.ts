// One receipt image end to end through `veil fields` (parse with OCR, detect, extract), the
// product path: the first run includes starting the OCR workers (as a one-off CLI call does), the
// later runs reuse them (as the service and batch runs do). Target: at most 1.5 s per receipt.
// The engine `VEIL_OCR=auto` picks on this machine is timed (PP-OCR when ONNX Runtime and its models
// load, else the native tesseract, else tesseract.js); `--engine native|wasm|vote|paddle|paddle-checked` times another.
// Usage: [VEIL_OCR_LANGS=eng+msa] npm run bench:fields [-- --runs N] [-- --second-reading] [-- --engine native|wasm|vote|paddle|paddle-checked] [-- FILE]
// Figures are noisy on a shared machine: compare best and median, not one run. Beside the wall
// time each run prints the CPU time it took (this process's threads plus the tesseract processes
// it waited for, from /proc): on a loaded machine wall time measures the queue for a core, CPU time
// what a quiet machine's single core would need. The load average is printed with the figures.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fieldsOfDocument, type FieldsTimings } from '../../src/cli/commands/fields.js';
import type { OcrEngineChoice } from '../../src/documents/ocr/engine.js';
import { autoOcrEngine, createOcr } from '../../src/documents/ocr/select.js';
import { closeDocumentResources } from '../../src/documents/resources.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const engineArg = process.argv.indexOf('--engine');
const engines: Exclude<OcrEngineChoice, 'auto'>[] =
  engineArg > 0 ? [process.argv[engineArg + 1] as Exclude<OcrEngineChoice, 'auto'>] : [await autoOcrEngine()];
const file =
  process.argv
    .slice(2)
    .find((a, i, all) => !a.startsWith('--') && !['--runs', '--engine'].includes(all[i - 1] ?? '')) ??
  (process.env.VEIL_EVAL_DIR
    ? `${process.env.VEIL_EVAL_DIR.replace(/\/$/, '')}/sroie/img/000.jpg`
    : fileURLToPath(new URL('../../../shared/eval/sroie/img/000.jpg', import.meta.url)));
if (!existsSync(file)) {
  console.log(`bench:fields skipped: ${file} not found`);
  process.exit(0);
}
const bytes = readFileSync(file);
// `--second-reading` adds the tesseract CLI's reading of text fields' boxes (`veil fields --second-reading`; off by default).
const secondReading = process.argv.includes('--second-reading');

/** CPU milliseconds used so far by this process and its waited-for children (Linux /proc; 0 elsewhere). */
function cpuMs(): number {
  try {
    // Fields after the command name's closing bracket: utime, stime, cutime, cstime are 12-15 of them.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
  } catch {
    return 0;
  }
}

type Run = FieldsTimings & { readonly cpu: number };
async function timed(ocr: ReturnType<typeof createOcr>): Promise<Run> {
  const before = cpuMs();
  const { timings } = await fieldsOfDocument(bytes, {
    template: 'receipt',
    ocr,
    secondReading,
  });
  return { ...timings, cpu: cpuMs() - before };
}
const show = (label: string, t: Run): void =>
  console.log(
    `${label.padEnd(22)} total ${t.total.toFixed(0).padStart(5)} ms = parse/OCR ${t.parse.toFixed(0).padStart(5)} + detect ${t.detect.toFixed(0).padStart(4)} + extract ${t.extract.toFixed(0).padStart(4)} (second reading ${t.secondReading.toFixed(0).padStart(4)}); CPU ${t.cpu.toFixed(0).padStart(5)} ms`,
  );

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `veil fields ${file.split('/').at(-1)} --template receipt (${(bytes.length / 1024).toFixed(0)} KiB); load average ${load()}`,
);
// VEIL_OCR_LANGS sets the models the tesseract CLI reads with (`eng+msa`), as in the product.
const languages = process.env.VEIL_OCR_LANGS || undefined;
if (languages) console.log(`tesseract reads with ${languages}`);
for (const engine of engines)
  for (const workers of [1, 2]) {
    const ocr = createOcr(engine, {
      native: { processes: workers, ...(languages ? { languages } : {}) },
      wasm: { workers },
      paddle: { concurrency: workers },
    });
    const cold = await timed(ocr);
    const name: Record<Exclude<OcrEngineChoice, 'auto'>, string> = {
      native: 'native tesseract',
      wasm: 'tesseract.js',
      vote: 'vote (three native readings)',
      paddle: 'paddle (PP-OCRv4 on ONNX Runtime)',
      'paddle-checked': 'paddle-checked (PP-OCRv4 checked against native tesseract)',
    };
    console.log(name[engine]);
    show(`${workers} OCR worker${workers > 1 ? 's' : ''}, cold`, cold);
    const warm: Run[] = [];
    for (let i = 0; i < runs; i++) warm.push(await timed(ocr));
    warm.sort((a, b) => a.total - b.total);
    show(`  warm best of ${runs}`, warm[0]!);
    show(`  warm median`, warm[warm.length >> 1]!);
    const cpu = warm.map((r) => r.cpu).sort((a, b) => a - b);
    console.log(`  warm CPU median ${cpu[cpu.length >> 1]!.toFixed(0)} ms, min ${cpu[0]!.toFixed(0)} ms`);
    const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
    console.log(
      `  RSS ${mib(process.memoryUsage().rss)} MiB now, peak ${mib(process.resourceUsage().maxRSS * 1024)} MiB (whole process so far)`,
    );
    await ocr.close();
  }
console.log(`load average at the end ${load()}`);
await closeDocumentResources();
