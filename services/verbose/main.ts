import { runServiceMain } from '../runtime/bootstrap.ts';
import { verboseService } from './service.ts';

await runServiceMain(verboseService);
