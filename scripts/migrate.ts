/** Applies the projection migrations to DATABASE_URL. */
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { createDatabase, migrate } from '../services/projector/database.ts';

const db = createDatabase(parseRuntimeConfig(process.env).databaseUrl, 1);
try {
  const applied = await migrate(db);
  console.log(applied.length ? `migrations: applied ${applied.join(', ')}` : 'migrations: up to date');
} catch (e) {
  console.error(`migrations: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
