import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { analyzeChunks, type ChunkedOptions } from '../../src/engine/chunked.js';
import type { Finding } from '../../src/engine/types.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { createDetectionPool } from '../../src/runtime/detection-pool.js';
import { syntheticPrivateKey } from '../engine/private-key-fixture.js';

/**
 * A long text dense with values of many kinds, some long (addresses, IBANs, e-mail addresses), so
 * the whitespace the parallel passes guess as their cut is often inside a finding.
 */
function denseText(lines: number): string {
  const pieces = [
    'Mr. Robert Murray lives at 221 Baker Street, London NW1 6XE, United Kingdom',
    'mail jane.doe@example.org or call (212) 555-0199',
    'IBAN GB82 WEST 1234 5698 7654 32 and card 4111 1111 1111 1111',
    'SSN 078-05-1120, born 12 March 1984 in Paris',
    'the patient was seen on Tuesday, 3 June 2021 by Dr. Jane Smith',
    'see https://veil.dev/docs/a-very-long-path-name?with=query&and=more',
    'the court in Ankara heard Mehmet Yilmaz and Acme Holdings Ltd.',
    'nothing personal here, just words about the weather and the sea',
  ];
  let text = '';
  // Mostly spaces between sentences, some line breaks.
  for (let i = 0; i < lines; i++)
    text += `${i}. ${pieces[(i * 5) % pieces.length]!}.${i % 7 === 6 ? '\n' : ' '}`;
  return text;
}

/**
 * Prose with private-key blocks of 48 lines: when a pass's cut limit falls inside a block, the
 * block starts more than a thousand characters before it, where the guess does not look, so the
 * guess is wrong.
 */
function textWithKeys(blocks: number): string {
  const key = syntheticPrivateKey();
  let text = '';
  for (let b = 0; b < blocks; b++) text += `${denseText(12 + (b % 5))}\nkey ${b}:\n${key}\n`;
  return text;
}

function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
  return chunks;
}

async function collect(chunks: Iterable<string>, options: ChunkedOptions): Promise<Finding[]> {
  const found: Finding[] = [];
  for await (const finding of analyzeChunks(chunks, options)) found.push(finding);
  return found;
}

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;

describe('analyzeChunks on worker threads', () => {
  const pool = createDetectionPool({ threads: 2 });
  after(() => pool.close());
  const text = denseText(4000);
  const chunks = chunksOf(text, 1500);
  const batchSize = 6000;

  it('finds exactly what it finds in this thread, on one thread or two, and what the whole text holds', async () => {
    const inThread = await collect(chunks, { batchSize });
    assert.ok(inThread.length > 4000, `found ${inThread.length}`);
    assert.deepEqual(inThread, createAnalyzer()(text));
    for (const inFlight of [1, 2, 4]) {
      const onThreads = await collect(chunks, { batchSize, analyzeText: pool.analyze, inFlight });
      assert.deepEqual(onThreads, inThread, `inFlight ${inFlight}`);
    }
  });

  it('runs a pass again when its guessed cut was wrong, and still finds the same', async () => {
    const local = createAnalyzer();
    const text = textWithKeys(60);
    const chunks = chunksOf(text, 1500);
    assert.ok(local(text).filter((f) => f.type === 'SECRET').length === 60);
    let sequentialPasses = 0;
    const sequential = await collect(chunks, {
      batchSize,
      analyzeText: (t) => {
        sequentialPasses++;
        return Promise.resolve(local(t));
      },
    });
    let parallelPasses = 0;
    const found = await collect(chunks, {
      batchSize,
      inFlight: 3,
      analyzeText: (t, options) => {
        parallelPasses++;
        return pool.analyze(t, options);
      },
    });
    assert.deepEqual(found, sequential);
    assert.deepEqual(found, local(text));
    // Some guesses fall inside a finding here: those passes ran twice.
    assert.ok(
      parallelPasses > sequentialPasses,
      `parallel ${parallelPasses} vs sequential ${sequentialPasses}`,
    );
  });

  it('passes the options to the threads, and fails on bad options before reading any text', async () => {
    const emails = await collect(chunks, {
      batchSize,
      entities: ['EMAIL_ADDRESS'],
      analyzeText: pool.analyze,
      inFlight: 2,
    });
    assert.deepEqual(emails, createAnalyzer({ entities: ['EMAIL_ADDRESS'] })(text));
    let read = 0;
    const counted = (function* () {
      for (const chunk of chunks) {
        read++;
        yield chunk;
      }
    })();
    await assert.rejects(
      collect(counted, { entities: ['NO_SUCH_TYPE'], analyzeText: pool.analyze, inFlight: 2 }),
      isCode('VEIL_UNKNOWN_ENTITY'),
    );
    assert.equal(read, 0);
    await assert.rejects(collect(chunks, { inFlight: 0 }), isCode('VEIL_INVALID_OPTION'));
  });
});
