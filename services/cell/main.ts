import { runServiceMain } from '../runtime/bootstrap.ts';
import { registerCellGauges } from './cell-metrics.ts';
import { parseRadioRanges } from './config.ts';
import { cellService } from './service.ts';

await runServiceMain(cellService(parseRadioRanges(process.env)), { gauges: registerCellGauges });
