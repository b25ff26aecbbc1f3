import { runServiceMain } from '../runtime/bootstrap.ts';
import { deviceService } from './service.ts';

await runServiceMain(deviceService);
