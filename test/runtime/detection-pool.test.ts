import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { presentAnalysis } from '../../src/api/presented-analysis.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { createDetectionPool, detectionTrace } from '../../src/runtime/detection-pool.js';

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;
const TEXTS = [
  'Call John Smith on 212-555-0199 or mail jane.doe@example.org.',
  'SSN 078-05-1120, card 4111 1111 1111 1111, born 12 March 1984 in Paris.',
  'Nothing personal here at all.',
  // Findings with parts (a title and name, an address's pieces).
  'Write to Dr. Jane Smith at 221B Baker Street, London NW1 6XE.',
];

describe('detection pool', () => {
  const pool = createDetectionPool({ threads: 2 });
  after(() => pool.close());

  it('finds what the engine finds in this thread, with the options given', async () => {
    const local = createAnalyzer();
    for (const text of TEXTS) assert.deepEqual(await pool.analyze(text, {}), local(text));
    const emails = createAnalyzer({ entities: ['EMAIL_ADDRESS'] });
    assert.deepEqual(await pool.analyze(TEXTS[0]!, { entities: ['EMAIL_ADDRESS'] }), emails(TEXTS[0]!));
  });

  it('presents the findings on the thread exactly as the route presents them in process', async () => {
    const local = createAnalyzer();
    for (const text of TEXTS)
      assert.deepEqual(await pool.analyzePresented(text, {}), presentAnalysis(local(text)));
    const presented = await pool.analyzePresented(TEXTS[3]!, {});
    assert.ok(new TextDecoder().decode(presented.body).includes('"parts":[{"type":'));
    const none = await pool.analyzePresented(TEXTS[2]!, {});
    assert.deepEqual([new TextDecoder().decode(none.body), none.counts], ['[]', {}]);
  });

  it('answers many concurrent texts, each with its own findings', async () => {
    const local = createAnalyzer();
    const texts = Array.from({ length: 40 }, (_, i) => `${TEXTS[i % TEXTS.length]} Visit ${i}.`);
    const results = await Promise.all(texts.map((text) => pool.analyze(text, {})));
    results.forEach((findings, i) => assert.deepEqual(findings, local(texts[i]!)));
  });

  it('passes the engine errors on with their stable code, never the text', async () => {
    await assert.rejects(
      pool.analyze('secret canary 078-05-1120', { entities: ['NO_SUCH_TYPE'] }),
      (e: unknown) => {
        assert.ok(isCode('VEIL_UNKNOWN_ENTITY')(e));
        assert.ok(!(e as Error).message.includes('canary'));
        return true;
      },
    );
  });
});

describe('detection pool trace', () => {
  it('publishes ids, counts and the thread timing only while subscribed, never the text', async () => {
    const pool = createDetectionPool({ threads: 1 });
    const events: Array<Record<string, unknown>> = [];
    const listen = (message: unknown) => events.push(message as Record<string, unknown>);
    try {
      await pool.analyze(TEXTS[1]!, {});
      assert.equal(events.length, 0);
      detectionTrace.subscribe(listen);
      const before = performance.timeOrigin + performance.now();
      const [first, second] = await Promise.all([pool.analyze(TEXTS[1]!, {}), pool.analyze(TEXTS[0]!, {})]);
      const after = performance.timeOrigin + performance.now();
      assert.deepEqual(first, createAnalyzer()(TEXTS[1]!));
      assert.deepEqual(second, createAnalyzer()(TEXTS[0]!));
      assert.deepEqual(
        events.map((e) => e.kind),
        ['queued', 'posted', 'queued', 'posted', 'answered', 'answered'],
      );
      const [queued, posted, queuedNext, postedNext, answered] = events;
      assert.deepEqual({ ...queued, id: 0 }, { kind: 'queued', id: 0, waiting: 0, idle: true });
      assert.equal(posted!.behind, 0);
      assert.equal(queuedNext!.idle, false);
      // One thread: the second text is posted behind the first, to the same thread.
      assert.equal(postedNext!.behind, 1);
      assert.equal(postedNext!.thread, posted!.thread);
      assert.equal(answered!.id, queued!.id);
      const timing = answered!.timing as { start: number; end: number; gc: number[] };
      assert.ok(before <= timing.start && timing.start <= timing.end && timing.end <= after);
      assert.ok(Array.isArray(timing.gc));
      const published = JSON.stringify(events);
      for (const value of ['078-05-1120', '4111', 'John', 'jane.doe']) assert.ok(!published.includes(value));
    } finally {
      detectionTrace.unsubscribe(listen);
      await pool.close();
    }
  });
});

describe('detection pool options', () => {
  it('refuses recognizer objects, which cannot cross threads, and stays usable', async () => {
    const pool = createDetectionPool({ threads: 1 });
    try {
      const object = { name: 'x', entities: ['X'], trigger: { kind: 'all' as const }, find: () => [] };
      await assert.rejects(pool.analyze('text', { recognizers: [object] }), isCode('VEIL_INVALID_OPTION'));
      assert.deepEqual(await pool.analyze(TEXTS[2]!, {}), []);
    } finally {
      await pool.close();
    }
  });
});

describe('detection pool started on demand', () => {
  it('starts no thread until a text waits, then answers like an eager pool; a full queue still admits the first text', async () => {
    // The process's OS threads (Linux): a worker thread adds some when it starts.
    const osThreads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const before = osThreads();
    const pool = createDetectionPool({ threads: 2, start: 'on-demand', maxQueue: 0 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(osThreads(), before, 'no thread before the first text');
      const local = createAnalyzer();
      assert.deepEqual(await pool.analyze(TEXTS[0]!, {}), local(TEXTS[0]!));
      const texts = Array.from({ length: 10 }, (_, i) => `${TEXTS[i % TEXTS.length]} Visit ${i}.`);
      const settled = await Promise.allSettled(texts.map((text) => pool.analyze(text, {})));
      settled.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') assert.deepEqual(outcome.value, local(texts[i]!));
        else assert.ok(isCode('VEIL_BUSY')(outcome.reason));
      });
      assert.ok(settled.some((o) => o.status === 'fulfilled'));
      assert.ok(osThreads() > before, 'threads started for the texts');
    } finally {
      await pool.close();
    }
  });

  it('closes cleanly having never started a thread', async () => {
    const pool = createDetectionPool({ threads: 2, start: 'on-demand' });
    await pool.close();
    await assert.rejects(pool.analyze('x', {}), isCode('VEIL_NOT_READY'));
  });
});

describe('detection pool limits', () => {
  it('refuses texts beyond the queue with VEIL_BUSY while every thread is busy', async () => {
    const pool = createDetectionPool({ threads: 1, maxQueue: 1 });
    try {
      const long = 'John Smith lives at 12 Oak Road. '.repeat(20_000);
      const running = pool.analyze(long, {});
      const waiting = pool.analyze('Jane Doe', {});
      await assert.rejects(pool.analyze('Jane Roe', {}), isCode('VEIL_BUSY'));
      assert.ok((await running).length > 0);
      assert.ok(Array.isArray(await waiting));
    } finally {
      await pool.close();
    }
  });

  it('one thread with a text queued behind the running one answers each text with its own findings', async () => {
    const single = createDetectionPool({ threads: 1 });
    try {
      const local = createAnalyzer();
      const texts = Array.from({ length: 12 }, (_, i) => `${TEXTS[i % TEXTS.length]} Room ${i}.`);
      const results = await Promise.all(texts.map((text) => single.analyze(text, {})));
      results.forEach((findings, i) => assert.deepEqual(findings, local(texts[i]!)));
    } finally {
      await single.close();
    }
  });

  it(
    'fails only the task whose thread dies, and goes on with a fresh thread',
    { timeout: 60_000 },
    async () => {
      const pool = createDetectionPool({ threads: 1, maxHeapMb: 48 });
      try {
        const huge = 'Maria Keller 078-05-1120 '.repeat(1_600_000);
        // A short text sent while the long one runs waits for the fresh thread and is answered.
        const [dead, waiting] = await Promise.allSettled([
          pool.analyze(huge, {}),
          pool.analyze(TEXTS[2]!, {}),
        ]);
        assert.ok(dead.status === 'rejected' && isCode('VEIL_INTERNAL')(dead.reason));
        assert.deepEqual(waiting, { status: 'fulfilled', value: [] });
        assert.deepEqual(await pool.analyze(TEXTS[2]!, {}), []);
      } finally {
        await pool.close();
      }
    },
  );

  it('fails waiting and later texts with VEIL_NOT_READY once closed', async () => {
    const pool = createDetectionPool({ threads: 1 });
    const running = assert.rejects(
      pool.analyze('John Smith lives at 12 Oak Road. '.repeat(5_000), {}),
      isCode('VEIL_NOT_READY'),
    );
    const waiting = assert.rejects(pool.analyze('Jane Doe', {}), isCode('VEIL_NOT_READY'));
    await pool.close();
    await Promise.all([running, waiting]);
    await assert.rejects(pool.analyze('x', {}), isCode('VEIL_NOT_READY'));
  });

  it('refuses a thread count out of range', () => {
    assert.throws(() => createDetectionPool({ threads: 0 }), isCode('VEIL_INVALID_OPTION'));
  });

  it(
    'fails waiting texts instead of spinning when threads cannot even start',
    { timeout: 30_000 },
    async () => {
      // 4 MiB of heap cannot load the engine: every thread dies at start.
      const pool = createDetectionPool({ threads: 1, maxHeapMb: 4 });
      try {
        await assert.rejects(pool.analyze('Jane Doe', {}), isCode('VEIL_INTERNAL'));
      } finally {
        await pool.close();
      }
    },
  );
});
