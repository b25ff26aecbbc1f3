import { userInfo } from 'node:os';
import { Argument, Command, InvalidArgumentError } from 'commander';
import { parseRuntimeConfig } from '../../services/runtime/config.ts';
import { EXIT, output, type Out } from './campaign/output.ts';
import { cells, devices, followStatus, list, pilot } from './campaign/read.ts';
import { LocalRefusal, readDeviceList } from './campaign/request-file.ts';
import { schedule, sendOne, type SendContext } from './campaign/send.ts';

const examples = `
Examples:
  $ otaflow campaign schedule examples/lwm2m-campaign.json --watch
  $ otaflow campaign schedule my-campaign.yaml --dry-run
  $ otaflow campaign status example-lwm2m-1 --watch
  $ otaflow campaign list --limit 20
  $ otaflow campaign devices example-lwm2m-1 --status UpgradeFailed --cause timeout
  $ otaflow campaign cells --top 10
  $ otaflow campaign pilot Acme Tracker-H 2.0.0
  $ otaflow campaign cancel example-lwm2m-1 --as alice
  $ otaflow campaign approve example-lwm2m-1 --as bob
  $ otaflow campaign pause example-mqtt-1
  $ otaflow campaign remove-devices example-lwm2m-1 devices.txt
  $ otaflow campaign verbose enable example-http-1 example-http-dev-000001 --json

Commands are sent to campaign.commands and each waits for its answer on campaign.events;
reads come from the SQL projections. Configuration: the services' environment
(OTAFLOW_KAFKA_BROKERS, OTAFLOW_REGISTRY_URL, OTAFLOW_TOPIC_PREFIX, DATABASE_URL).
Commands name their principal (R-SEC-2): --as, else OTAFLOW_PRINCIPAL, else your login name;
the campaign service's command policy decides what it may do.
Exit codes: 0 accepted (followed to its end: every device upgraded), 1 could not run,
2 refused (locally or by the service), 3 RequestFailed, 4 ended with devices not upgraded.`;

const positive = (value: string): number => {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('a positive whole number is needed');
  return Number(value);
};

interface Global {
  json?: boolean;
  timeout: number;
  as: string;
}

/** `otaflow campaign …`: the operator's commands and reads; each action resolves with its exit code. */
export function campaignCommand(): Command {
  const campaign = new Command('campaign')
    .description('schedule and steer campaigns, and follow them (progress bars, or --json for scripts)')
    .option('--json', 'print one JSON document per result, no progress bars')
    .option('--timeout <seconds>', 'how long to wait for Kafka, for an answer, or for acceptance progress', positive, 30)
    .option('--as <principal>', 'the principal commands are sent as (R-SEC-2)', process.env.OTAFLOW_PRINCIPAL || userInfo().username)
    .addHelpText('after', examples);
  const run = (action: (ctx: SendContext) => Promise<number>) => async () => {
    const global = campaign.opts<Global>();
    const out: Out = output(global.json ?? false);
    try {
      process.exitCode = await action({ config: parseRuntimeConfig(process.env), out, timeoutMs: global.timeout * 1000, principal: global.as });
    } catch (e) {
      const refused = e instanceof LocalRefusal;
      out.result({ error: (e as Error).message, refused }, `${refused ? 'refused before sending' : 'error'}: ${(e as Error).message}`);
      process.exitCode = refused ? EXIT.refused : EXIT.error;
    }
  };
  campaign
    .command('schedule <file>')
    .description('check a request file (JSON or YAML, see examples/) with the services\' validators, send it in parts of at most 10,000 devices, and show the acceptance')
    .option('--id <campaignId>', "schedule the file's request under another campaign id (to run an example again)")
    .option('--watch', 'then follow the campaign to its end (from SQL)')
    .option('--dry-run', 'check the file only')
    .action((file: string, o: { id?: string; watch?: boolean; dryRun?: boolean }) => run((ctx) => schedule(ctx, file, o))());
  campaign.command('cancel <campaignId>').description('cancel a campaign before it starts (R-LC-1, R-LC-2)').action((id: string) => run((ctx) => sendOne(ctx, 'CANCEL', id))());
  campaign.command('abort <campaignId>').description('abort a running v2 campaign: upgraded devices stay upgraded (R-LC-2)').action((id: string) => run((ctx) => sendOne(ctx, 'ABORT', id))());
  campaign.command('pause <campaignId>').description('no device of the campaign starts until resume; those started finish (R-SAFE-4)').action((id: string) => run((ctx) => sendOne(ctx, 'PAUSE', id))());
  campaign.command('resume <campaignId>').description('devices of a paused campaign start again; after a missed wave threshold, the next wave starts (R-SAFE-3/4)').action((id: string) => run((ctx) => sendOne(ctx, 'RESUME', id))());
  campaign.command('next-wave <campaignId>').description('start the next wave of a campaign whose waves wait for the operator (R-SAFE-3)').action((id: string) => run((ctx) => sendOne(ctx, 'NEXT_WAVE', id))());
  campaign.command('approve <campaignId>').description("approve a campaign the command policy holds for a second principal's approval (R-SEC-2: four eyes)").action((id: string) => run((ctx) => sendOne(ctx, 'APPROVE', id))());
  campaign
    .command('remove-devices <campaignId> <file>')
    .description('remove the devices listed in a file (JSON/YAML list, or one id per line) before the campaign starts')
    .action((id: string, file: string) => run((ctx) => sendOne(ctx, 'REMOVE_DEVICES', id, readDeviceList(file)))());
  campaign
    .command('verbose')
    .description('verbose logging of devices (R-LOG-1: at most 20 at a time, off after 7 days, logs fetchable after 24 h)')
    .addArgument(new Argument('<action>').choices(['enable', 'disable', 'fetch']))
    .argument('<campaignId>', 'the campaign the request is made under (its events carry the answer)')
    .argument('[deviceIds...]', 'device ids')
    .option('-f, --file <file>', 'read the device ids from a file')
    .action((action: 'enable' | 'disable' | 'fetch', id: string, ids: string[], o: { file?: string }) => {
      const type = ({ enable: 'ENABLE_VERBOSE_LOGGING', disable: 'DISABLE_VERBOSE_LOGGING', fetch: 'FETCH_VERBOSE_LOGS' } as const)[action];
      return run((ctx) => sendOne(ctx, type, id, [...ids, ...(o.file ? readDeviceList(o.file) : [])]))();
    });
  campaign
    .command('status <campaignId>')
    .description('devices per status as a progress bar, from SQL')
    .option('--watch', 'redraw every second until the campaign is in a final state; the exit code then says how it ended')
    .action((id: string, o: { watch?: boolean }) => run((ctx) => followStatus(ctx.config, ctx.out, id, { watch: o.watch ?? false }))());
  campaign
    .command('list')
    .description('campaigns, latest first')
    .option('--limit <n>', 'how many', positive, 50)
    .option('--search <prefix>', 'only campaign ids starting with this')
    .action((o: { limit: number; search?: string }) => run((ctx) => list(ctx.config, ctx.out, o))());
  campaign
    .command('devices <campaignId>')
    .description("a campaign's devices")
    .option('--status <status>', 'only this status (Accepted, DeviceRejected, UpgradeSuccess, UpgradeFailed, CampaignCancelled, CampaignAborted)')
    .option('--cause <text>', 'only devices whose cause or detail contains this (any case)')
    .option('--limit <n>', 'how many', positive, 1000)
    .action((id: string, o: { status?: string; cause?: string; limit: number }) => run((ctx) => devices(ctx.config, ctx.out, id, o))());
  campaign
    .command('cells')
    .description('radio cells, bottlenecks first: most devices waiting, then fullest, then lowest limit (R-CELL-1)')
    .option('--top <n>', 'how many', positive, 20)
    .option('--search <prefix>', 'only cell ids starting with this')
    .action((o: { top: number; search?: string }) => run((ctx) => cells(ctx.config, ctx.out, { limit: o.top, search: o.search }))());
  campaign
    .command('pilot <make> <model> <targetVersion>')
    .description("a make+model+target's pilot gate and its pilot campaigns (R-PILOT-1..3)")
    .action((make: string, model: string, target: string) => run((ctx) => pilot(ctx.config, ctx.out, make, model, target))());
  return campaign;
}
