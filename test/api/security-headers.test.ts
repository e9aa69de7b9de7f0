import assert from 'node:assert/strict';
import { test } from 'node:test';
import { securityHeaders } from '../../src/api/security-headers.js';

test('securityHeaders: the headers helmet writes, computed once, with our CSP frame-ancestors', () => {
  const headers = securityHeaders({
    contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
  });
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['x-frame-options'], 'SAMEORIGIN');
  assert.equal(headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
  assert.match(headers['content-security-policy']!, /^default-src 'self';.*frame-ancestors 'none'/);
  assert.equal('x-powered-by' in headers, false);
});

test('securityHeaders: an option helmet refuses stops the start', () => {
  assert.throws(() => securityHeaders({ strictTransportSecurity: { maxAge: -1 } }));
});
