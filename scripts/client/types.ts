// Writes src/client/openapi.ts from the OpenAPI document `veil serve` serves.
import { writeFile } from 'node:fs/promises';
import { CLIENT_TYPES_PATH, clientTypesSource, servedOpenApi } from './openapi-source.js';

await writeFile(CLIENT_TYPES_PATH, await clientTypesSource(await servedOpenApi()));
console.log(`wrote ${CLIENT_TYPES_PATH.pathname}`);
