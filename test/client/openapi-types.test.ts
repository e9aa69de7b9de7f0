/**
 * The SDK's generated types (src/client/openapi.ts) are what openapi-typescript makes of the
 * OpenAPI document the service serves now: a route or schema change without
 * `npm run client:types` fails here.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CLIENT_TYPES_PATH, clientTypesSource, servedOpenApi } from '../../scripts/client/openapi-source.js';

test('src/client/openapi.ts matches the served OpenAPI document', async () => {
  const doc = await servedOpenApi();
  assert.ok(doc.paths?.['/v1/jobs'] !== undefined, 'the document serves /v1/jobs');
  const expected = await clientTypesSource(doc);
  const committed = await readFile(CLIENT_TYPES_PATH, 'utf8');
  assert.ok(committed === expected, 'src/client/openapi.ts is stale: run `npm run client:types`');
});
