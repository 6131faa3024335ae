// Writes the JSON Schema of every event to packages/contracts/schemas/ (checked in; a unit test keeps them current).
import { writeFileSync } from 'node:fs';

import { jsonSchemas } from '../src/json-schemas.ts';

for (const [name, schema] of Object.entries(jsonSchemas())) {
  const file = new URL(`../schemas/${name}.schema.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
