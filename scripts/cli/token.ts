import { Command, InvalidArgumentError, Option } from 'commander';
import { verifyDownloadToken, type Verification } from '../../contracts/download-token.ts';
import { parseDeviceConfig } from '../../services/device/config.ts';
import type { Env } from '../../services/runtime/config.ts';

/** Exit codes, for download servers that call it: 0 valid, 1 could not check (configuration), 2 refused. */
export const TOKEN_EXIT = { valid: 0, unusable: 1, refused: 2 } as const;

export interface VerifyOptions {
  readonly device: string;
  readonly campaign: string;
  readonly attempt: number;
  readonly checksum: string;
}

const attempt = (value: string): number => {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new InvalidArgumentError('a whole number from 1 is needed');
  return Number(value);
};

/** `otaflow token verify`: a download server's check of a delivery's token (R-SEC-1), with the device service's keys. */
export function tokenCommand(): Command {
  const verify = new Command('verify')
    .description('check a download token against the device, campaign, attempt and package checksum it must be for, with the keys of OTAFLOW_DOWNLOAD_TOKEN_KEYS_FILE (or OTAFLOW_DOWNLOAD_TOKEN_KEYS)')
    .argument('<token>', 'the token the device presented')
    .addOption(new Option('--device <id>', 'the device asking for the package').makeOptionMandatory())
    .addOption(new Option('--campaign <id>', 'the campaign the download is for').makeOptionMandatory())
    .addOption(new Option('--attempt <n>', 'the attempt the download is for').argParser(attempt).makeOptionMandatory())
    .addOption(new Option('--checksum <sha256:hex>', 'the checksum of the package being served').makeOptionMandatory())
    .addHelpText('after', '\nExit codes: 0 valid, 1 no usable keys, 2 refused (the reason on stderr).\n\nExample:\n  $ otaflow token verify "$TOKEN" --device dev-000042 --campaign fw-2026-01-acme --attempt 1 --checksum sha256:9f86d0…')
    .action((token: string, options: VerifyOptions) => {
      const { code, line } = verifyVerdict(process.env, token, options, Date.now());
      (code === TOKEN_EXIT.valid ? console.log : console.error)(line);
      process.exitCode = code;
    });
  return new Command('token').description('download tokens of package deliveries (R-SEC-1)').addCommand(verify);
}

/** What `otaflow token verify` prints and exits with; the token itself is never printed. */
export function verifyVerdict(env: Env, token: string, o: VerifyOptions, now: number): { readonly code: number; readonly line: string } {
  let result: Verification;
  try {
    const { tokenKeys } = parseDeviceConfig(env);
    result = verifyDownloadToken(tokenKeys, token, { deviceId: o.device, campaignId: o.campaign, attempt: o.attempt, checksum: o.checksum }, now);
  } catch (e) {
    return { code: TOKEN_EXIT.unusable, line: `otaflow token verify: ${(e as Error).message}` };
  }
  if (!result.valid) return { code: TOKEN_EXIT.refused, line: `REFUSED: ${result.reason}` };
  return { code: TOKEN_EXIT.valid, line: `valid: key ${result.keyId}, expires ${new Date(result.expiresAt).toISOString()}` };
}
