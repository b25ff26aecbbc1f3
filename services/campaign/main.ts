import { runServiceMain } from '../runtime/bootstrap.ts';
import { parseCampaignConfig } from './config.ts';
import { campaignService } from './service.ts';

const config = parseCampaignConfig(process.env);
await runServiceMain(campaignService(config.policy), { warnings: config.warnings });
