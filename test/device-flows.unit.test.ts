import { describe, expect, it } from 'vitest';
import type { CellEvent } from '../contracts/cell-events.ts';
import { httpClientCodes, lwm2mResultCodes, MQTT_ONLINE_MS, resultDetails, stepTimeouts, v1FailureDetails } from '../services/device/task.ts';
import { DAY, fleetOf, HOUR, MIN, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';
import { verifyDownloadToken } from '../contracts/download-token.ts';
import type { Protocol } from '../contracts/common.ts';
import { testTokenKeys } from './support/token-keys.ts';

const LWM2M_FLOW = ['QUERY_VERSION', 'QUERY_RADIO', 'SUBSCRIBE', 'DELIVER_PACKAGE', 'UPGRADE', 'QUERY_RESULT', 'UNSUBSCRIBE'];
const retryOnce = { retry: { attempts: 1, intervalMinutes: 1 } };

describe('device upgrade flows on the in-memory topology', () => {
  it.each([
    ['LWM2M', HOUR],
    ['OMA_DM', HOUR],
    ['MQTT', DAY],
    ['HTTP', DAY],
  ] as const)('R-SEC-1: every %s package delivery, retries included, carries a token a download server verifies for that device, attempt and package alone, valid %d ms', (protocol: Protocol, lifetime) => {
    // The first attempt fails after its delivery: an HTTP install failure, a lost connection otherwise.
    const fleet = fleetOf(`tok-${protocol}-`, protocol, [protocol === 'HTTP' ? { clientFailure: httpClientCodes.installFailed } : { failFirstAttempts: 1 }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, retryOnce)).checkIn().advance(2 * MIN).checkIn();
    const deliveries = s.commandsTo(fleet[0]!.deviceId).filter((c) => c.kind === 'DELIVER_PACKAGE');
    expect(deliveries.map((d) => d.attempt)).toEqual([1, 2]);
    for (const { command, at } of deliveries) {
      const p = command.package!;
      expect(p.tokenExpiresAt - at).toBe(lifetime);
      const claims = { deviceId: command.deviceId, campaignId: 'k1', attempt: command.attempt, checksum: p.checksum };
      expect(verifyDownloadToken(testTokenKeys, p.token!, claims, at)).toEqual({ valid: true, keyId: 'test-1', expiresAt: p.tokenExpiresAt });
      expect(verifyDownloadToken(testTokenKeys, p.token!, { ...claims, attempt: 3 - command.attempt }, at).valid).toBe(false);
    }
  });

  it('R-FLOW-1, R-RES-1: an online LwM2M device is queried for its version and radio, takes a cell token, is delivered the package, upgraded and unsubscribed, and succeeds', () => {
    const fleet = fleetOf('ok-', 'LWM2M', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => c.kind)).toEqual(LWM2M_FLOW);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', detail: resultDetails.success.V1, attempt: 1, cellId: fleet[0]!.cellId, fromVersion: '1.0.0', toVersion: '2.0.0' });
    expect(s.driver.outputs<CellEvent>('cell-events').map((e) => e.value.type)).toEqual(['queued', 'granted', 'released']);
  });

  it('R-FLOW-1: a device that reports the target version already succeeds without a cell token or a delivery', () => {
    const fleet = fleetOf('same-', 'LWM2M', [{ firmwareVersion: '2.0.0' }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => c.kind)).toEqual(['QUERY_VERSION']);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', detail: resultDetails.alreadyAtTarget });
    expect(s.driver.outputs('cell-requests')).toEqual([]);
  });

  it.each([
    ['QUERY_VERSION', ['QUERY_VERSION'], stepTimeouts.queryVersion!],
    ['DELIVER_PACKAGE', ['DELIVER_PACKAGE'], stepTimeouts.download!],
    ['UPGRADE', ['UPGRADE'], stepTimeouts.update!],
    ['QUERY_CELL_ID', ['QUERY_RADIO', 'QUERY_CELL_ID'], stepTimeouts.queryCellId!],
  ] as const)('R-FLOW-4: an LwM2M device silent on %s fails with its platform cause the step\'s full timeout after the command', (kind, silentOn, timeout) => {
    const fleet = fleetOf('mute-', 'LWM2M', [{ silentOn }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet)).advance(DAY);

    const result = s.resultOf(fleet[0]!.deviceId);
    expect(result).toMatchObject({ status: 'UpgradeFailed', cause: timeout.cause, detail: v1FailureDetails.updateFailed, attempt: 1 });
    expect(result.at - s.commandsTo(fleet[0]!.deviceId).find((c) => c.kind === kind)!.at).toBe(timeout.ms);
  });

  it('R-FLOW-4, R-REQ-3: a timed-out device is retried after the campaign\'s interval, waits its full timeout again, and only then fails for good', () => {
    const fleet = fleetOf('retry-', 'LWM2M', [{ silentOn: ['DELIVER_PACKAGE'] }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, retryOnce)).advance(DAY);

    const commands = s.commandsTo(fleet[0]!.deviceId);
    const delivered = commands.filter((c) => c.kind === 'DELIVER_PACKAGE');
    expect(delivered.map((c) => c.attempt)).toEqual([1, 2]);
    const secondStart = commands.find((c) => c.attempt === 2)!;
    expect(secondStart.at - delivered[0]!.at).toBe(stepTimeouts.download!.ms + MIN);
    const result = s.resultOf(fleet[0]!.deviceId);
    expect(result).toMatchObject({ status: 'UpgradeFailed', attempt: 2, cause: stepTimeouts.download!.cause });
    expect(result.at - delivered[1]!.at).toBe(stepTimeouts.download!.ms);
    // The token went back at each failure (R-CELL-3).
    expect(s.driver.outputs<CellEvent>('cell-events').filter((e) => e.value.type === 'released')).toHaveLength(2);
  });

  it('R-REQ-3, R-RES-2: a connection lost during the download (code 4) is retried and the second attempt succeeds', () => {
    const fleet = fleetOf('lost-', 'LWM2M', [{ failFirstAttempts: 1 }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, retryOnce)).advance(HOUR);

    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => `${c.attempt} ${c.kind}`)).toEqual([...LWM2M_FLOW.map((k) => `1 ${k}`), ...LWM2M_FLOW.map((k) => `2 ${k}`)]);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', attempt: 2 });
  });

  it('R-REQ-3: a campaign with two retries gives a failing device three attempts, each after the interval', () => {
    const fleet = fleetOf('thrice-', 'LWM2M', [{ resultCode: 8 }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { retry: { attempts: 2, intervalMinutes: 5 } })).advance(HOUR);

    const starts = [1, 2, 3].map((attempt) => s.commandsTo(fleet[0]!.deviceId).find((c) => c.attempt === attempt && c.kind === 'QUERY_VERSION')!.at);
    expect([starts[1]! - starts[0]!, starts[2]! - starts[1]!]).toEqual([5 * MIN, 5 * MIN]);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeFailed', attempt: 3, cause: lwm2mResultCodes[8] });
  });

  it('R-FLOW-2, R-RES-3: an online MQTT device is not pushed, is queried for its version, gets the package with a download token valid 24 h, and succeeds on the target version', () => {
    const fleet = fleetOf('mqtt-', 'MQTT', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));

    const commands = s.commandsTo(fleet[0]!.deviceId);
    expect(commands.map((c) => c.kind)).toEqual(['QUERY_VERSION', 'DELIVER_PACKAGE']);
    const delivery = commands[1]!.command.package!;
    expect(delivery.token).not.toBeNull();
    expect(delivery.tokenExpiresAt! - commands[1]!.at).toBe(24 * HOUR);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', detail: resultDetails.success.V2, toVersion: '2.0.0' });
  });

  it('R-FLOW-2, R-REQ-3: an MQTT device whose transfer loses its connection is retried, and one that never reports fails 24 h after the delivery', () => {
    const fleet = fleetOf('mqtt-', 'MQTT', [{ failFirstAttempts: 1 }, { silentOn: ['DELIVER_PACKAGE'] }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { retry: { attempts: 1, intervalMinutes: 1 } })).advance(3 * DAY);

    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', attempt: 2 });
    const silent = s.resultOf(fleet[1]!.deviceId);
    expect(silent).toMatchObject({ status: 'UpgradeFailed', attempt: 2, cause: stepTimeouts.mqttTransfer!.cause });
    expect(silent.at - s.commandsTo(fleet[1]!.deviceId).filter((c) => c.kind === 'DELIVER_PACKAGE')[1]!.at).toBe(24 * HOUR);
  });

  it('R-FLOW-2: an offline MQTT device is never pushed; one that comes online within 25 h is upgraded, one that does not fails 25 h after the start', () => {
    const fleet = fleetOf('mqtt-off-', 'MQTT', [{ offlineUntil: T0 + 10 * HOUR }, { offlineUntil: Infinity }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet));
    s.advance(10 * HOUR).checkIn();
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', at: T0 + 10 * HOUR });

    s.advance(MQTT_ONLINE_MS);
    expect(s.driver.outputs<{ kind: string }>('device-commands').filter((c) => c.value.kind === 'PUSH')).toEqual([]);
    expect(s.resultOf(fleet[1]!.deviceId)).toMatchObject({ status: 'UpgradeFailed', cause: stepTimeouts.awaitOnline!.cause, at: T0 + MQTT_ONLINE_MS });
  });

  it('R-FLOW-3, R-RES-3: an HTTP device is sent nothing until it checks in; then it is handed the package, told to install once downloaded, and succeeds', () => {
    const fleet = fleetOf('http-', 'HTTP', [{}]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet)).advance(HOUR);
    expect(s.commandsTo(fleet[0]!.deviceId)).toEqual([]);

    s.checkIn();
    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => [c.kind, c.at])).toEqual([
      ['DELIVER_PACKAGE', s.driver.now],
      ['UPGRADE', s.driver.now],
    ]);
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeSuccess', detail: resultDetails.success.V2 });
  });

  it('R-FLOW-3, R-REQ-2: an HTTP device is handed the package only at a check-in inside the download window, and told to install only at one inside the apply window', () => {
    const fleet = fleetOf('http-win-', 'HTTP', [{}]);
    const utc = (start: string, end: string) => ({ start, end, timeZone: 'UTC', weekdays: [] });
    // T0 is 15:30 UTC: downloads from 18:00, installs from 02:00.
    const schedule = { downloadWindow: utc('18:00', '20:00'), applyWindow: utc('02:00', '04:00') };
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, { schedule })).checkIn();
    expect(s.commandsTo(fleet[0]!.deviceId)).toEqual([]);

    s.advance(3 * HOUR).checkIn();
    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => c.kind)).toEqual(['DELIVER_PACKAGE']);
    s.advance(5 * HOUR).checkIn();
    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => c.kind)).toEqual(['DELIVER_PACKAGE']);
    s.advance(3 * HOUR).checkIn();
    expect(s.commandsTo(fleet[0]!.deviceId).map((c) => [c.kind, new Date(c.at).getUTCHours()])).toEqual([
      ['DELIVER_PACKAGE', 18],
      ['UPGRADE', 2],
    ]);
    expect(s.resultOf(fleet[0]!.deviceId).status).toBe('UpgradeSuccess');
  });

  it('R-RES-3, R-REQ-3: an HTTP install failure is retried at the next check-in after the interval and, failing again, is the final result with the client code', () => {
    const fleet = fleetOf('http-fail-', 'HTTP', [{ clientFailure: httpClientCodes.installFailed }]);
    const s = new Scenario(fleet).schedule(scheduleFor('k1', fleet, retryOnce)).checkIn();
    expect(s.results()).toEqual([]);

    s.advance(MIN).checkIn();
    expect(s.resultOf(fleet[0]!.deviceId)).toMatchObject({ status: 'UpgradeFailed', attempt: 2, detail: httpClientCodes.installFailed, cause: httpClientCodes.installFailed });
  });
});
