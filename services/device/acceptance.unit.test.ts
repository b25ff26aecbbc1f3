import { describe, expect, it } from 'vitest';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { details, rejectionOf, validImei } from './acceptance.ts';

describe('device acceptance', () => {
  it('R-DEV-1: an IMEI is 15 digits with a Luhn check digit', () => {
    expect(validImei('490154203237518')).toBe(true);
    expect(validImei('490154203237517')).toBe(false);
    expect(validImei('49015420323751')).toBe(false);
    expect(validImei('49015420323751a')).toBe(false);
  });
  it('R-REQ-4: an eligible device is accepted', () => {
    expect(rejectionOf(profile, offer, undefined)).toBeUndefined();
  });
  it('R-DEV-2, R-REQ-4: a device never seen is "not found"', () => {
    expect(rejectionOf(null, offer, undefined)).toBe('notFound');
    expect(details.V1.notFound).toBe('Device not found.');
  });
  it('R-REQ-4: each failed check gives its reason, in check order', () => {
    expect(rejectionOf({ ...profile, imei: '123' }, offer, undefined)).toBe('invalidImei');
    expect(rejectionOf({ ...profile, fotaCapable: false }, offer, undefined)).toBe('notEligible');
    expect(rejectionOf({ ...profile, clientType: 'OMA_DM_CLIENT' }, offer, undefined)).toBe('unknownClient');
    expect(rejectionOf({ ...profile, model: 'S2' }, offer, undefined)).toBe('makeModel');
    expect(rejectionOf({ ...profile, firmwareVersion: '0.9' }, offer, undefined)).toBe('version');
    const http = { ...offer, api: 'V2' as const, protocol: 'HTTP' as const };
    expect(rejectionOf({ ...profile, clientType: 'ROVA_CLIENT', connected: false }, http, undefined)).toBe('notConnected');
    expect(rejectionOf({ ...profile, connected: false }, offer, undefined)).toBeUndefined();
  });
  it('R-REQ-4: details are the carrier API strings of the campaign\'s api, verbatim', () => {
    expect(details.V1.version).toBe('Current device firmeware version does not meet firmware prerequisites.');
    expect(details.V2.version).toBe('Current device software version does not meet software prerequisites.');
    expect(details.V1.invalidImei).toBe('Invalid Device IMEI.');
    expect(details.V2.invalidImei).toBe('Invalid device IMEI.');
    expect(details.V2.notEligible).toBe('Device not eligible for service (not FOTA capable)');
  });
  it('R-DEV-3: a device busy with another campaign is rejected', () => {
    expect(rejectionOf(profile, offer, 'other')).toBe('taskConflict');
    expect(rejectionOf(profile, offer, 'k1')).toBeUndefined();
  });
});
