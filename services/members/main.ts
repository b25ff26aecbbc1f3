import { runServiceMain } from '../runtime/bootstrap.ts';
import { membersService } from './service.ts';

await runServiceMain(membersService);
