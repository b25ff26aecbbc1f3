/** Creates the database DATABASE_URL names if it is missing, then applies the projection migrations. */
import { provisionDatabase } from '../services/ops/provision.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';

try {
  for (const line of await provisionDatabase(parseRuntimeConfig(process.env).databaseUrl)) console.log(line);
} catch (e) {
  console.error(`migrations: ${(e as Error).message}`);
  process.exitCode = 1;
}
