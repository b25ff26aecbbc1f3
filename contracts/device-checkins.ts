import type { ParseContext } from '../services/runtime/actor.ts';
import type { Protocol, Radio } from './common.ts';
import { fieldsOf, stringRules } from './fields.ts';
import { checkRadio } from './radio-checks.ts';

/** device.checkins (key: deviceId), schemas/device-checkin.avsc. */
export interface Checkin {
  readonly deviceId: string;
  readonly imei: string;
  readonly make: string;
  readonly model: string;
  readonly protocol: Protocol;
  readonly firmwareVersion: string;
  readonly softwareVersion: string;
  readonly clientType: string;
  readonly fotaCapable: boolean;
  readonly connected: boolean;
  readonly radio: Radio | null;
  readonly at: number;
}

const { name, requiredName } = stringRules;

export function parseCheckin(value: unknown, key: string, context: ParseContext): Checkin {
  const c = value as Checkin;
  const check = fieldsOf('device check-in');
  check.key('deviceId', c.deviceId, key);
  // An invalid IMEI or an unknown client type is the device's answer to an offer (R-REQ-4), not a broken record.
  check.string('imei', c.imei, name);
  check.string('clientType', c.clientType, name);
  check.string('make', c.make, requiredName);
  check.string('model', c.model, requiredName);
  check.string('firmwareVersion', c.firmwareVersion, requiredName);
  check.string('softwareVersion', c.softwareVersion, requiredName);
  checkRadio(check, c.radio);
  // A check-in ahead of the clock would make every later, genuine one look older (R-DEV-2).
  check.timestamp('at', c.at, context);
  return c;
}
