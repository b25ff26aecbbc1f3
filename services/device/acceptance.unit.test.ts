import { describe, expect, it } from 'vitest';
import { offer, profile } from '../../test/support/device-fixtures.ts';
import { rejection, rejectionOf, validImei } from './acceptance.ts';

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
    expect(rejectionOf(undefined, offer, undefined)).toBe(rejection.notFound);
  });
  it('R-REQ-4: each failed check gives its detail', () => {
    expect(rejectionOf({ ...profile, imei: '123' }, offer, undefined)).toBe(rejection.invalidImei);
    expect(rejectionOf({ ...profile, fotaCapable: false }, offer, undefined)).toBe(rejection.notEligible);
    expect(rejectionOf({ ...profile, model: 'S2' }, offer, undefined)).toBe(rejection.makeModel);
    expect(rejectionOf({ ...profile, firmwareVersion: '0.9' }, offer, undefined)).toBe(rejection.version);
    expect(rejectionOf({ ...profile, connected: false }, { ...offer, api: 'V2' }, undefined)).toBe(rejection.notConnected);
  });
  it('R-DEV-3: a device busy with another campaign is rejected', () => {
    expect(rejectionOf(profile, offer, 'other')).toBe(rejection.taskConflict);
    expect(rejectionOf(profile, offer, 'k1')).toBeUndefined();
  });
});
