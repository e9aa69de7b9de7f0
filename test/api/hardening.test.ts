import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/api/index.js';
import { AS_PROCESSOR, AS_PROCESSOR_2, testApp } from './harness.js';

// Unique values that must never appear in a response message, a log line or a metric.
const CANARY_SSN = '078-05-1120';
const CANARY_EMAIL = 'canary.7f3a91@example.org';
const CANARY_WORD = 'Quillonbrake';

test('validation errors name the field path and never echo the value', async () => {
  const { app } = await testApp();
  try {
    const cases: [unknown, string][] = [
      [{ text: 42 }, 'body.text: expected string'],
      [{ text: CANARY_SSN, score_threshold: 7 }, 'body.score_threshold: must be at most 1'],
      [
        { text: CANARY_SSN, entities: [CANARY_EMAIL] },
        'body.entities.0: does not match the expected format (an upper-case entity type such as EMAIL_ADDRESS)',
      ],
      [{ text: CANARY_SSN, language: CANARY_WORD }, 'body.language: expected one of "en"'],
      [{ text: CANARY_SSN, [CANARY_EMAIL]: CANARY_WORD }, 'body: an unknown field'],
      // A misspelt field is not repeated (a key may be data); the one meant is named.
      [{ text: CANARY_SSN, [`scor_threshold`]: 1 }, 'body: an unknown field (did you mean score_threshold?)'],
      [{ text: CANARY_SSN, [`ad_hoc_r${CANARY_WORD}ecognizers`]: [] }, 'body: an unknown field'],
      [{ text: CANARY_SSN, deny_list: [''] }, 'body.deny_list.0: must be at least 1 characters'],
    ];
    for (const [payload, message] of cases) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/analyze',
        headers: AS_PROCESSOR,
        payload: payload as object,
      });
      assert.equal(response.statusCode, 400);
      assert.deepEqual(response.json(), { error: { code: 'VEIL_INVALID_REQUEST', message } });
    }
    const anonymize = await app.inject({
      method: 'POST',
      url: '/v1/anonymize',
      headers: AS_PROCESSOR,
      payload: { text: CANARY_SSN, anonymizers: { US_SSN: { type: 'mask', masking_char: CANARY_WORD } } },
    });
    assert.equal(anonymize.statusCode, 400);
    assert.deepEqual(anonymize.json(), {
      error: {
        code: 'VEIL_INVALID_REQUEST',
        message: 'body.anonymizers.US_SSN.masking_char: must be at most 1 characters',
      },
    });
  } finally {
    await app.close();
  }
});

test('a malformed JSON body answers 400 VEIL_MALFORMED_JSON without quoting it', async () => {
  const { app } = await testApp();
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: { ...AS_PROCESSOR, 'content-type': 'application/json' },
      payload: `{"text": "${CANARY_SSN}`,
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      error: { code: 'VEIL_MALFORMED_JSON', message: 'the request body is not valid JSON' },
    });
    const wrongType = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: { ...AS_PROCESSOR, 'content-type': 'text/plain' },
      payload: CANARY_SSN,
    });
    assert.equal(wrongType.statusCode, 415);
    assert.deepEqual(wrongType.json(), {
      error: { code: 'VEIL_UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' },
    });
  } finally {
    await app.close();
  }
});

test('a body over the limit answers 413 VEIL_BODY_TOO_LARGE', async () => {
  const { app } = await testApp({ config: { bodyLimit: 2048 } });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: 'a'.repeat(4096) },
    });
    assert.equal(response.statusCode, 413);
    assert.deepEqual(response.json(), {
      error: { code: 'VEIL_BODY_TOO_LARGE', message: 'the request body is larger than the server allows' },
    });
    const small = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: 'a'.repeat(1000) },
    });
    assert.equal(small.statusCode, 200);
  } finally {
    await app.close();
  }
});

test('the rate limit counts per principal, and per address before authentication', async () => {
  const { app } = await testApp({ config: { rateLimit: { max: 2, windowMs: 60_000 } } });
  try {
    const analyze = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/v1/analyze',
        headers,
        payload: { text: 'x', entities: ['EMAIL_ADDRESS'] },
      });
    assert.equal((await analyze(AS_PROCESSOR)).statusCode, 200);
    assert.equal((await analyze(AS_PROCESSOR)).statusCode, 200);
    const limited = await analyze(AS_PROCESSOR);
    assert.equal(limited.statusCode, 429);
    assert.deepEqual(limited.json(), {
      error: { code: 'VEIL_RATE_LIMITED', message: 'too many requests; retry in 1 minute' },
    });
    assert.equal(limited.headers['retry-after'], '60');
    // Another principal from the same address has its own budget.
    assert.equal((await analyze(AS_PROCESSOR_2)).statusCode, 200);
    // Unauthenticated callers share the address's budget, and are limited before they learn more.
    assert.equal((await analyze({})).statusCode, 401);
    assert.equal((await analyze({})).statusCode, 401);
    assert.equal((await analyze({})).statusCode, 429);
    // Health probes are never limited.
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test('responses carry security headers and no-store', async () => {
  const { app } = await testApp();
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: 'x', entities: ['US_SSN'] },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(
      String(response.headers['content-security-policy']),
      /default-src 'self'.*frame-ancestors 'none'/,
    );
    assert.equal(response.headers['x-powered-by'], undefined);
  } finally {
    await app.close();
  }
});

test('/openapi.json is an OpenAPI 3.1 document with the routes, and /docs is served locally', async () => {
  const { app } = await testApp();
  try {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = JSON.parse(response.body) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/healthz',
      '/readyz',
      '/v1/analyze',
      '/v1/anonymize',
      '/v1/me',
    ]);
    assert.deepEqual(document.paths['/v1/analyze']?.['post']?.security, [{ bearer: [] }]);
    assert.ok(document.paths['/v1/anonymize']?.['post']?.requestBody);
    assert.deepEqual(document.components.securitySchemes['bearer'], {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });

    const page = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/);
    // Every script and stylesheet comes from this server: no CDN.
    assert.doesNotMatch(page.body, /(src|href)="https?:\/\//);
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(bundle.statusCode, 200);
  } finally {
    await app.close();
  }
});

test('/metrics counts by route pattern and status, and no label carries a request value', async () => {
  const { app } = await testApp();
  try {
    await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: CANARY_SSN, entities: ['US_SSN'] },
    });
    await app.inject({
      method: 'POST',
      url: `/v1/analyze?q=${CANARY_WORD}`,
      headers: AS_PROCESSOR,
      payload: { text: CANARY_EMAIL },
    });
    await app.inject({ method: 'GET', url: `/v1/jobs/${CANARY_EMAIL}` });
    await app.inject({ method: 'POST', url: '/v1/analyze', payload: { text: CANARY_SSN } });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    const text = response.body;
    for (const canary of [CANARY_SSN, CANARY_EMAIL, CANARY_WORD])
      assert.ok(!text.includes(canary), `metrics hold ${canary}`);
    assert.match(text, /^veil_http_requests_total\{method="POST",route="\/v1\/analyze",status="200"\} 2$/m);
    assert.match(text, /^veil_http_requests_total\{method="POST",route="\/v1\/analyze",status="401"\} 1$/m);
    assert.match(text, /^veil_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.match(
      text,
      /^veil_http_request_duration_seconds_bucket\{le="0.01",method="POST",route="\/v1\/analyze",status="200"\} \d+$/m,
    );
    // Every label value belongs to a closed set.
    for (const [, labels] of text.matchAll(/^veil_http_\w+\{([^}]*)\}/gm)) {
      for (const [, name, value] of (labels ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
        if (name === 'le') continue;
        const allowed: Record<string, RegExp> = {
          method: /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|OTHER)$/,
          route: /^(unmatched|\/[a-z0-9/._:-]*)$/,
          status: /^\d{3}$/,
        };
        assert.match(value ?? '', allowed[name ?? ''] ?? /^$/, `label ${name}`);
      }
    }
  } finally {
    await app.close();
  }
});

test('logs hold ids, codes and timings, never a canary from a body, header, query or error', async () => {
  const { app, logs } = await testApp({
    routes: [
      async (scope) => {
        scope.post('/v1/explode', { config: { permission: 'analyze:run' } }, async () => {
          throw new TypeError(`cannot read ${CANARY_EMAIL}`);
        });
      },
    ],
  });
  try {
    await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: `SSN ${CANARY_SSN} mail ${CANARY_EMAIL}` },
    });
    await app.inject({
      method: 'POST',
      url: `/v1/analyze?name=${CANARY_WORD}`,
      headers: AS_PROCESSOR,
      payload: { text: CANARY_WORD, score_threshold: 9 },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: { authorization: `Bearer ${CANARY_WORD}` },
      payload: { text: CANARY_SSN },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: { ...AS_PROCESSOR, 'content-type': 'application/json' },
      payload: `{"text":"${CANARY_SSN}`,
    });
    await app.inject({ method: 'GET', url: `/${CANARY_EMAIL}?ssn=${CANARY_SSN}` });
    const exploded = await app.inject({
      method: 'POST',
      url: '/v1/explode',
      headers: AS_PROCESSOR,
      payload: { text: CANARY_SSN },
    });
    assert.equal(exploded.statusCode, 500);
    assert.deepEqual(exploded.json(), { error: { code: 'VEIL_INTERNAL', message: 'internal error' } });

    const all = logs.join('');
    for (const canary of [CANARY_SSN, CANARY_EMAIL, CANARY_WORD, 'token-processor']) {
      assert.ok(!all.includes(canary), `logs hold ${canary}`);
    }
    const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = lines.filter((line) => line['msg'] === 'request completed');
    assert.equal(completed.length, 6);
    assert.deepEqual(
      completed.map((line) => [line['route'], line['status'], line['code'] ?? null]),
      [
        ['/v1/analyze', 200, null],
        ['/v1/analyze', 400, 'VEIL_INVALID_REQUEST'],
        ['/v1/analyze', 401, 'VEIL_UNAUTHENTICATED'],
        ['/v1/analyze', 400, 'VEIL_MALFORMED_JSON'],
        ['unmatched', 404, 'VEIL_ROUTE_NOT_FOUND'],
        ['/v1/explode', 500, 'VEIL_INTERNAL'],
      ],
    );
    for (const line of completed) {
      assert.equal(typeof line['reqId'], 'string');
      assert.equal(typeof line['ms'], 'number');
    }
    const failure = lines.find((line) => line['msg'] === 'request failed');
    assert.equal(failure?.['errorName'], 'TypeError');
  } finally {
    await app.close();
  }
});

test('a /v1 route that declares no permission stops the app from building', async () => {
  await assert.rejects(
    testApp({
      routes: [
        async (scope) => {
          scope.get('/v1/open', async () => 'open');
        },
      ],
    }),
    { code: 'VEIL_INTERNAL', message: 'route GET /v1/open declares no permission' },
  );
});

test('a bad setting stops the app from building, naming the setting', async () => {
  const deps = { authenticate: async () => Promise.reject(new Error('unused')), authorize: () => undefined };
  await assert.rejects(buildApp({ ...deps, config: { bodyLimit: 10 } }), {
    code: 'VEIL_INVALID_OPTION',
    message: 'api.bodyLimit: Too small: expected number to be >=1024',
  });
  await assert.rejects(buildApp({ ...deps, config: { bodylimit: 2048 } }), {
    code: 'VEIL_INVALID_OPTION',
    message: 'api: Unrecognized key: "bodylimit"',
  });
});

test('an authenticator that fails unexpectedly still answers 401, never 500', async () => {
  const { app } = await testApp({
    authenticate: async () => {
      throw new Error(`JWKS fetch failed for ${CANARY_EMAIL}`);
    },
  });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: AS_PROCESSOR,
      payload: { text: 'x' },
    });
    assert.equal(response.statusCode, 401);
    assert.deepEqual(response.json(), {
      error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' },
    });
  } finally {
    await app.close();
  }
});
