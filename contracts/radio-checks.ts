import type { Radio } from './common.ts';
import type { FieldChecks } from './fields.ts';

// 3GPP TS 36.133 reporting ranges: a value outside them is a broken report, not a device.
const RSRP_RANGE = [-156, -31] as const;
const SINR_RANGE = [-23, 40] as const;

export function checkRadio(check: FieldChecks, radio: Radio | null): void {
  if (!radio) return;
  check.id('radio.cellId', radio.cellId);
  check.number('radio.rsrp', radio.rsrp, { nullable: true, range: RSRP_RANGE, unit: 'dBm' });
  check.number('radio.sinr', radio.sinr, { nullable: true, range: SINR_RANGE, unit: 'dB' });
}
