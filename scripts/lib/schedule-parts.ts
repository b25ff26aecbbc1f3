import { randomUUID } from 'node:crypto';
import type { CampaignCommand, CampaignRequest } from '../../contracts/campaign-commands.ts';
import { MAX_DEVICE_IDS } from '../../contracts/input-limits.ts';

/**
 * A SCHEDULE as the campaign service takes it (schemas/campaign-command.avsc): the device list
 * in parts of at most MAX_DEVICE_IDS ids, sent in order on the campaign's key; part 0 carries
 * the request and, when there are several parts, the total device count.
 */
export function scheduleParts(campaignId: string, request: CampaignRequest, deviceIds: readonly string[], at: number, commandIdOf: (part: number) => string = () => randomUUID()): CampaignCommand[] {
  const parts = Math.max(1, Math.ceil(deviceIds.length / MAX_DEVICE_IDS));
  return Array.from({ length: parts }, (_, part) => ({
    commandId: commandIdOf(part),
    campaignId,
    type: 'SCHEDULE' as const,
    request: part === 0 ? request : null,
    deviceIds: deviceIds.slice(part * MAX_DEVICE_IDS, (part + 1) * MAX_DEVICE_IDS),
    part,
    parts,
    deviceCount: parts > 1 ? deviceIds.length : null,
    at,
  }));
}
