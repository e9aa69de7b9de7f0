import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSameTenant, authorize, can, PERMISSIONS, ROLES } from '../../src/access/permissions.js';
import type { Permission, Role } from '../../src/access/permissions.js';
import type { Principal } from '../../src/access/principal.js';
import { isVeilError } from '../../src/errors/veil-error.js';

// The matrix, written out by hand: 1 = allowed. Columns: admin, processor, reviewer, auditor, dpo.
// prettier-ignore
const EXPECTED: Record<Permission, readonly [number, number, number, number, number]> = {
  'job:create':        [1, 1, 0, 0, 0],
  'job:read':          [1, 1, 1, 1, 1],
  'job:read-redacted': [1, 1, 1, 0, 1],
  'job:delete':        [1, 1, 0, 0, 1],
  'job:reveal':        [1, 0, 0, 0, 1],
  'review:decide':     [1, 0, 1, 0, 0],
  'audit:read':        [1, 0, 0, 1, 1],
  'audit:export':      [1, 0, 0, 1, 1],
  'keys:rotate':       [1, 0, 0, 0, 0],
  'api-keys:manage':   [1, 0, 0, 0, 0],
  'policy:read':       [1, 1, 0, 1, 1],
  'policy:write':      [1, 0, 0, 0, 1],
  'dsr:manage':        [1, 0, 0, 0, 1],
  'consent:withdraw':  [1, 0, 0, 0, 1],
  'legal-holds:manage': [1, 0, 0, 0, 1],
  'legal-holds:read':  [1, 0, 0, 1, 1],
  'analyze:run':       [1, 1, 0, 0, 0],
  'analytics:read':    [1, 0, 0, 1, 0],
  'alerts:read':       [1, 0, 0, 1, 1],
  'privacy-metrics:read': [1, 0, 0, 1, 1],
};
const COLUMNS: readonly Role[] = ['admin', 'processor', 'reviewer', 'auditor', 'dpo'];

const principal = (roles: Role[], tenantId = 'acme'): Principal => ({
  id: 'user-1',
  tenantId,
  roles,
  kind: 'user',
});
const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    assert.ok(isVeilError(error));
    return error.code;
  }
};

test('the matrix covers exactly the roles and permissions the table names', () => {
  assert.deepEqual([...ROLES], COLUMNS);
  assert.deepEqual([...PERMISSIONS].sort(), Object.keys(EXPECTED).sort());
});

test('every role × permission × tenant: allowed in its tenant, 404 in another, 403 without the role', (t) => {
  const outcomes = { allowed: 0, forbidden: 0, notFound: 0 };
  for (const [permission, row] of Object.entries(EXPECTED) as Array<[Permission, readonly number[]]>) {
    COLUMNS.forEach((role, column) => {
      const allowed = row[column] === 1;
      const who = principal([role]);
      const resource = (tenantId: string) => ({ tenantId, reason: 'DSR-42 subject access request' });
      assert.equal(can([role], permission), allowed, `${role} ${permission}`);
      const same = code(() => authorize(who, permission, resource('acme')));
      const other = code(() => authorize(who, permission, resource('globex')));
      const none = code(() => authorize(who, permission));
      assert.deepEqual(
        [same, other, none],
        allowed
          ? ['allowed', 'VEIL_NOT_FOUND', permission === 'job:reveal' ? 'VEIL_REASON_REQUIRED' : 'allowed']
          : ['VEIL_FORBIDDEN', 'VEIL_FORBIDDEN', 'VEIL_FORBIDDEN'],
        `${role} ${permission}`,
      );
      if (allowed) outcomes.allowed += 1;
      else outcomes.forbidden += 1;
      if (other === 'VEIL_NOT_FOUND') outcomes.notFound += 1;
    });
  }
  t.diagnostic(
    `${ROLES.length} roles × ${PERMISSIONS.length} permissions: ${outcomes.allowed} allowed, ${outcomes.forbidden} forbidden; ${outcomes.notFound} cross-tenant checks answered 404`,
  );
  assert.deepEqual(outcomes, { allowed: 51, forbidden: 49, notFound: 51 });
});

test('a principal with several roles holds the union of their permissions', () => {
  const both = principal(['reviewer', 'auditor']);
  assert.equal(
    code(() => authorize(both, 'review:decide', { tenantId: 'acme' })),
    'allowed',
  );
  assert.equal(
    code(() => authorize(both, 'audit:export', { tenantId: 'acme' })),
    'allowed',
  );
  assert.equal(
    code(() => authorize(both, 'job:create', { tenantId: 'acme' })),
    'VEIL_FORBIDDEN',
  );
  assert.equal(
    code(() => authorize(principal([]), 'job:read')),
    'VEIL_FORBIDDEN',
  );
});

test('reveal requires a reason of 4 to 500 characters; the grant carries it trimmed', () => {
  const dpo = principal(['dpo']);
  for (const reason of [undefined, '', '    ', 'abc', ' ab ', 'x'.repeat(501)]) {
    assert.equal(
      code(() =>
        authorize(dpo, 'job:reveal', { tenantId: 'acme', ...(reason === undefined ? {} : { reason }) }),
      ),
      'VEIL_REASON_REQUIRED',
      JSON.stringify(reason),
    );
  }
  assert.equal(
    code(() => authorize(dpo, 'job:reveal')),
    'VEIL_REASON_REQUIRED',
  );
  const grant = authorize(dpo, 'job:reveal', { tenantId: 'acme', reason: '  DSR-42  ' });
  assert.deepEqual(grant, {
    principalId: 'user-1',
    tenantId: 'acme',
    permission: 'job:reveal',
    reason: 'DSR-42',
  });
  assert.ok(Object.isFrozen(grant));
  assert.equal(
    authorize(dpo, 'job:reveal', { tenantId: 'acme', reason: 'x'.repeat(500) }).reason?.length,
    500,
  );
  // The role check comes first: a reviewer with a reason is still forbidden, another tenant still 404.
  assert.equal(
    code(() => authorize(principal(['reviewer']), 'job:reveal', { tenantId: 'acme', reason: 'DSR-42' })),
    'VEIL_FORBIDDEN',
  );
  assert.equal(
    code(() => authorize(dpo, 'job:reveal', { tenantId: 'globex' })),
    'VEIL_NOT_FOUND',
  );
});

test('other permissions ignore a reason and grant without one', () => {
  assert.deepEqual(
    authorize(principal(['processor']), 'job:create', { tenantId: 'acme', reason: 'why not' }),
    {
      principalId: 'user-1',
      tenantId: 'acme',
      permission: 'job:create',
    },
  );
});

test('the errors carry status and say nothing about the other tenant', () => {
  try {
    assertSameTenant(principal(['admin']), 'globex');
    assert.fail('crossed tenants');
  } catch (error) {
    assert.ok(isVeilError(error));
    assert.deepEqual([error.code, error.status, error.message], ['VEIL_NOT_FOUND', 404, 'not found']);
  }
  assert.doesNotThrow(() => assertSameTenant(principal(['admin']), 'acme'));
  try {
    authorize(principal(['auditor']), 'keys:rotate');
    assert.fail('auditor rotated keys');
  } catch (error) {
    assert.ok(isVeilError(error));
    assert.deepEqual(
      [error.code, error.status, error.message],
      ['VEIL_FORBIDDEN', 403, 'this action needs the permission keys:rotate'],
    );
  }
});
