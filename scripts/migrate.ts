/** Creates the database DATABASE_URL names if it is missing, then applies the projection migrations. */
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createDatabase, migrate } from '../services/projector/database.ts';
import { ensureDatabase } from '../services/projector/ensure-database.ts';
import { maskUrlValue } from '../services/runtime/redact.ts';

const { databaseUrl } = parseRuntimeConfig(process.env);
const db = createDatabase(databaseUrl, 1);
try {
  if (await ensureDatabase(databaseUrl)) console.log(`migrations: created the database at ${maskUrlValue(databaseUrl)}`);
  const applied = await migrate(db);
  console.log(applied.length ? `migrations: applied ${applied.join(', ')}` : 'migrations: up to date');
} catch (e) {
  console.error(`migrations: ${maskUrlValue(databaseUrl)}: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
