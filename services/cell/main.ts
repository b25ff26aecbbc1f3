import { runServiceMain } from '../runtime/bootstrap.ts';
import { cellService } from './service.ts';

await runServiceMain(cellService());
