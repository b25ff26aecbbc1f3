import { signDownloadToken, type DownloadTokenKeys } from '../../contracts/download-token.ts';
import type { ActorType } from '../runtime/actor.ts';
import type { DeviceInput, DeviceState } from './device-actor.ts';
import type { DeviceOutput } from './task.ts';

/**
 * R-SEC-1: the device actor decides each package delivery and its token's expiry; this edge signs
 * the token over the delivered command's device, campaign, attempt, checksum and expiry. The key
 * stays out of the actor: never in its state, its changelog or its tests' fixtures. HMAC is
 * deterministic, so a batch decided again signs the same tokens.
 */
export function withDownloadTokens(actor: ActorType<DeviceState, DeviceInput, DeviceOutput>, keys: DownloadTokenKeys): ActorType<DeviceState, DeviceInput, DeviceOutput> {
  return {
    ...actor,
    decide(state, input, now) {
      const decided = actor.decide(state, input, now);
      return { state: decided.state, outputs: decided.outputs.map((o) => signed(o, keys)) };
    },
  };
}

function signed(output: DeviceOutput, keys: DownloadTokenKeys): DeviceOutput {
  if (output.topic !== 'device-commands' || output.value.package === null) return output;
  const c = output.value;
  const p = c.package!;
  const token = signDownloadToken(keys, { deviceId: c.deviceId, campaignId: c.campaignId, attempt: c.attempt, checksum: p.checksum, expiresAt: p.tokenExpiresAt });
  return { ...output, value: { ...c, package: { ...p, token } } };
}
