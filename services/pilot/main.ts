import { runServiceMain } from '../runtime/bootstrap.ts';
import { pilotService } from './service.ts';

await runServiceMain(pilotService);
