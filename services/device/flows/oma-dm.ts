import { pushedFlow } from './lwm2m.ts';

/**
 * OMA-DM devices walk LwM2M's steps (R-FLOW-1): push, version, radio or cell id and a cell
 * token, download, upgrade.
 *
 * Decision: a silent OMA-DM device is pushed once per attempt, with no 04:00 UTC re-push, and
 * fails 24 h after that push. R-LC-4 grants the re-push to LwM2M devices only, as does its
 * source: seeds 001_* names "OMA-DM and LWM2M" for the push and the start times, then "For LWM2M
 * devices, if the device does not respond, the system tries again around 4:00 AM UTC". Pushing
 * OMA-DM devices again would be otaflow's invention (docs/device-gateway.md, "OMA-DM").
 */
export const omaDmFlow = pushedFlow(null);
