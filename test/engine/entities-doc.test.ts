import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { repoUrl } from '../repo-paths.js';

test('docs/entities.md lists every entity type with every recognizer that reports it (npm run docs:entities)', () => {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(repoUrl('docs/entities.md'), 'utf8').split('\n')) {
    const match = /^\| `([A-Z0-9_]+)` \| (.+) \|$/.exec(line);
    if (match) rows.set(match[1]!, match[2]!.split(', '));
  }
  for (const recognizer of defaultRecognizers())
    for (const entity of recognizer.entities)
      assert.ok(
        rows.get(entity)?.includes(recognizer.name),
        `${entity} / ${recognizer.name} missing from docs/entities.md: run npm run docs:entities`,
      );
});
