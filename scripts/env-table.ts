// Prints the environment-variable table of every service from its config schema (README.md embeds it;
// a unit test fails when the README's copy is stale). `pnpm env:table`
import { renderEnvTable } from './env-table-lib.ts';

console.log(await renderEnvTable());
