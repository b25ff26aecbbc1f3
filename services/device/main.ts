import { runServiceMain } from '../runtime/bootstrap.ts';
import { parseDeviceConfig } from './config.ts';
import { deviceService } from './service.ts';

const config = parseDeviceConfig(process.env);
await runServiceMain(deviceService(config.tokenKeys), { secrets: config.secrets });
