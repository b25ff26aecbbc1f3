import type { Env } from '../runtime/config.ts';
import { envSecret } from '../runtime/env-secret.ts';
import { OPEN_POLICY, parseCommandPolicy, type CommandPolicy } from './command-policy.ts';

/** The campaign service's own settings, beside the runtime's. */
export interface CampaignConfig {
  /** R-SEC-2: from OTAFLOW_COMMAND_POLICY_FILE (a file) or OTAFLOW_COMMAND_POLICY (the document). */
  readonly policy: CommandPolicy;
  /** Said at start: what the configuration leaves open. */
  readonly warnings: readonly string[];
}

export const POLICY_VARIABLE = 'OTAFLOW_COMMAND_POLICY';

export function parseCampaignConfig(env: Env): CampaignConfig {
  const policy = envSecret(env, POLICY_VARIABLE);
  if (!policy) {
    const open = `no command policy (${POLICY_VARIABLE}_FILE): whoever may write campaign.commands may issue any command, and no campaign waits for approval (R-SEC-2)`;
    return Object.freeze({ policy: OPEN_POLICY, warnings: [open] });
  }
  return Object.freeze({ policy: parseCommandPolicy(policy.value, policy.source), warnings: [] });
}
