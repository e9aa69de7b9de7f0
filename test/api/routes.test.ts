import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AS_AUDITOR, AS_PROCESSOR, testApp, type TestApp } from './harness.js';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(async () => {
  await t.app.close();
});

test('POST /v1/analyze returns the spans found, Presidio-style', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/analyze',
    headers: AS_PROCESSOR,
    payload: {
      text: 'mail jane@example.org or call 212-555-0199',
      entities: ['EMAIL_ADDRESS', 'PHONE_NUMBER'],
    },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), [
    { entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' },
    { entity_type: 'PHONE_NUMBER', start: 30, end: 42, score: 1, recognizer: 'phone' },
  ]);
});

test('POST /v1/analyze takes a deny list and ad-hoc recognizers', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/analyze',
    headers: AS_PROCESSOR,
    payload: {
      text: 'Project Zorblat, staff number EMP-123456',
      entities: ['DENY_LIST', 'EMPLOYEE_ID'],
      deny_list: ['Zorblat'],
      ad_hoc_recognizers: [
        {
          name: 'employee',
          supported_entity: 'EMPLOYEE_ID',
          patterns: [{ name: 'emp', regex: 'EMP-\\d{6}', score: 0.9 }],
        },
      ],
    },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), [
    { entity_type: 'DENY_LIST', start: 8, end: 15, score: 1, recognizer: 'deny-list' },
    { entity_type: 'EMPLOYEE_ID', start: 30, end: 40, score: 0.9, recognizer: 'employee' },
  ]);
});

test('POST /v1/analyze with an unknown entity type answers 400 VEIL_UNKNOWN_ENTITY', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/analyze',
    headers: AS_PROCESSOR,
    payload: { text: 'hello', entities: ['NOT_A_TYPE'] },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    error: { code: 'VEIL_UNKNOWN_ENTITY', message: 'analyze: unknown entity type "NOT_A_TYPE"' },
  });
});

test('POST /v1/anonymize applies the operators per entity type to the given spans', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/anonymize',
    headers: AS_PROCESSOR,
    payload: {
      text: 'mail jane@example.org or call 212-555-0199',
      analyzer_results: [
        { entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1 },
        { entity_type: 'PHONE_NUMBER', start: 30, end: 42, score: 1, recognizer: 'phone' },
      ],
      anonymizers: {
        DEFAULT: { type: 'replace' },
        PHONE_NUMBER: { type: 'mask', masking_char: '#', chars_to_mask: 4, from_end: true },
      },
    },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), {
    text: 'mail <EMAIL_ADDRESS_1> or call 212-555-####',
    items: [
      { entity_type: 'EMAIL_ADDRESS', start: 5, end: 22, operator: 'replace' },
      { entity_type: 'PHONE_NUMBER', start: 31, end: 43, operator: 'mask' },
    ],
  });
});

test('POST /v1/anonymize runs the default analyzer when no spans are given', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/anonymize',
    headers: AS_PROCESSOR,
    payload: { text: 'write to jane@example.org', anonymizers: { DEFAULT: { type: 'redact' } } },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), {
    text: 'write to ',
    items: [{ entity_type: 'EMAIL_ADDRESS', start: 9, end: 9, operator: 'redact' }],
  });
});

test('POST /v1/anonymize refuses keyed operators when the server has no keys', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/anonymize',
    headers: AS_PROCESSOR,
    payload: { text: 'x', anonymizers: { US_SSN: { type: 'hash' } } },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    error: {
      code: 'VEIL_INVALID_OPTION',
      message:
        'anonymizers.US_SSN.type: the hash operator needs tenant keys, which this server is not configured with; use replace, redact, mask, generalize or keep',
    },
  });
});

test('POST /v1/anonymize with overlapping spans answers 400 without quoting the text', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/anonymize',
    headers: AS_PROCESSOR,
    payload: {
      text: 'CANARY-SPAN-7731',
      analyzer_results: [
        { entity_type: 'PERSON', start: 0, end: 10 },
        { entity_type: 'PERSON', start: 5, end: 12 },
      ],
    },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    error: {
      code: 'VEIL_INVALID_INPUT',
      message: 'anonymize: findings: spans overlap at offset 5; resolve overlaps first (analyze does)',
    },
  });
});

test('without credentials a route answers 401 VEIL_UNAUTHENTICATED', async () => {
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers,
      payload: { text: 'x' },
    });
    assert.equal(response.statusCode, 401);
    assert.deepEqual(response.json(), {
      error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' },
    });
  }
});

test('authentication is checked before the body is validated', async () => {
  const response = await t.app.inject({ method: 'POST', url: '/v1/analyze', payload: { nonsense: true } });
  assert.equal(response.statusCode, 401);
});

test('a role without the permission answers 403 VEIL_FORBIDDEN', async () => {
  for (const url of ['/v1/analyze', '/v1/anonymize']) {
    const response = await t.app.inject({ method: 'POST', url, headers: AS_AUDITOR, payload: { text: 'x' } });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(response.json(), {
      error: { code: 'VEIL_FORBIDDEN', message: 'this action needs the permission analyze:run' },
    });
  }
});

test('an unknown path answers 404 VEIL_ROUTE_NOT_FOUND', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), {
    error: { code: 'VEIL_ROUTE_NOT_FOUND', message: 'no route matches this method and path' },
  });
});

test('/healthz answers ok', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { status: 'ok' });
});

test('/readyz follows the readiness port', async () => {
  let ready = false;
  const probe = await testApp({
    ready: async () => {
      if (!ready) throw new Error('database not reachable at CANARY-HOST');
    },
  });
  try {
    const down = await probe.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), {
      error: { code: 'VEIL_NOT_READY', message: 'the service is not ready yet' },
    });
    ready = true;
    const up = await probe.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json(), { status: 'ready' });
    assert.ok(!probe.logs.join('').includes('CANARY-HOST'));
  } finally {
    await probe.app.close();
  }
});
