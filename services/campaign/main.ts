import { runServiceMain } from '../runtime/bootstrap.ts';
import { campaignService } from './service.ts';

await runServiceMain(campaignService);
