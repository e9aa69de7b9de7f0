/**
 * `npx tsx scripts/bench/subject-index.ts`: the CPU the detect step spends preparing a job's
 * subject index (`subjectIndexRows`: a keyed HMAC per direct identifier and the sealed values) on
 * the job benchmarks' 5 KB text, detected with the default analyzer. CPU time of this process per
 * job, SUBJECT_INDEX_JOBS (default 300) jobs a round, three rounds (the first warms up): a figure
 * the machine's load moves little. The key is a random in-memory data key; no database is used.
 */
import { randomBytes } from 'node:crypto';
import { createAnalyzer } from '../../src/engine/analyze.js';
import type { Keyring } from '../../src/crypto/keyring.js';
import { subjectIndexRows } from '../../src/privacy/dsr/subject-index.js';
import { jobText } from './job-text.js';

const JOBS = Number(process.env.SUBJECT_INDEX_JOBS ?? 300);
const dataKey = { version: 1, key: randomBytes(32) };
const keyring = { currentKey: async () => dataKey } as unknown as Keyring;
const text = jobText(3);
const values = createAnalyzer()(text).map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
const { rows } = await subjectIndexRows(keyring, 'bench', 'job-0', values);
console.log(`${values.length} findings, ${rows.length} indexed identifiers per job`);
for (let round = 1; round <= 3; round += 1) {
  const from = process.cpuUsage();
  for (let i = 0; i < JOBS; i += 1) await subjectIndexRows(keyring, 'bench', `job-${i}`, values);
  const cpu = process.cpuUsage(from);
  console.log(`round ${round}: ${((cpu.user + cpu.system) / 1000 / JOBS).toFixed(3)} ms of CPU per job`);
}
