import type { ParseContext } from '../services/runtime/actor.ts';
import type { Radio } from './common.ts';
import { fieldsOf, stringRules } from './fields.ts';
import { checkRadio } from './radio-checks.ts';

export type StatusKind =
  | 'FIRMWARE_VERSION'
  | 'RADIO'
  | 'DOWNLOAD_STARTED'
  | 'DOWNLOAD_PROGRESS'
  | 'DOWNLOADED'
  | 'UPDATE_STARTED'
  | 'UPDATE_RESULT'
  | 'CLIENT_STATUS'
  | 'CELL_ID';

/** device.status-reports (key: deviceId), schemas/device-status-report.avsc. */
export interface StatusReport {
  readonly deviceId: string;
  readonly campaignId: string | null;
  readonly kind: StatusKind;
  readonly firmwareVersion: string | null;
  readonly softwareVersion: string | null;
  readonly radio: Radio | null;
  readonly bytesDownloaded: number | null;
  readonly resultCode: number | null;
  readonly clientStatus: string | null;
  readonly at: number;
}

const { id, name, requiredName } = stringRules;

export function parseStatusReport(value: unknown, key: string, context: ParseContext): StatusReport {
  const r = value as StatusReport;
  const check = fieldsOf('device status report');
  check.key('deviceId', r.deviceId, key);
  check.string('campaignId', r.campaignId, { ...id, nullable: true });
  check.string('firmwareVersion', r.firmwareVersion, { ...requiredName, nullable: true });
  check.string('softwareVersion', r.softwareVersion, { ...requiredName, nullable: true });
  checkRadio(check, r.radio);
  check.number('bytesDownloaded', r.bytesDownloaded, { nullable: true, integer: true, range: [0, Number.MAX_SAFE_INTEGER] });
  check.number('resultCode', r.resultCode, { nullable: true, integer: true });
  check.string('clientStatus', r.clientStatus, { ...name, nullable: true });
  check.timestamp('at', r.at, context);
  return r;
}
