// Writes the engine's generated tables (see tables-source.ts) from the patterns and gazetteers.
import { writeFileSync } from 'node:fs';
import { packagePath } from '../../src/package-root.js';
import { engineTables } from './tables-source.js';

for (const table of engineTables()) {
  writeFileSync(packagePath(table.path), table.text);
  console.log(`wrote ${table.path}`);
}
