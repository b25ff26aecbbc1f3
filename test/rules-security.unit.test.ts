import { describe, expect, it } from 'vitest';
import type { CampaignCommand } from '../contracts/campaign-commands.ts';
import { parseCommandPolicy } from '../services/campaign/command-policy.ts';
import { HOUR, fleetOf, Scenario, scheduleFor, T0 } from './support/driver-campaigns.ts';

const policy = parseCommandPolicy(
  JSON.stringify({
    principals: { alice: ['SCHEDULE', 'CANCEL', 'PAUSE', 'APPROVE'], bob: ['APPROVE', 'PAUSE'], '*': ['FETCH_VERBOSE_LOGS'] },
    approval: { minDevices: 3 },
  }),
  'test policy',
);

const answers = (s: Scenario, campaignId: string) =>
  s.events(campaignId).filter((e) => e.type === 'COMMAND_ACCEPTED' || e.type === 'COMMAND_REFUSED').map((e) => [e.type === 'COMMAND_ACCEPTED' ? 'accepted' : 'refused', e.principal, e.reason]);
const deviceCommands = (s: Scenario) => s.driver.outputs('device-commands').length;

describe('operator identity on the in-memory topology', () => {
  it('R-SEC-2: a command the policy does not grant its principal, or naming none, is refused with the reason and changes nothing; a granted one is carried out', () => {
    const fleet = fleetOf('sec-deny-', 'LWM2M', [{}, {}, {}]);
    const s = new Scenario(fleet, T0, policy).schedule({ ...scheduleFor('k1', fleet), principal: 'mallory' });
    expect(s.driver.state('campaign', 'k1')).toBeUndefined();
    s.schedule({ ...scheduleFor('k1', fleet), commandId: 'k1-anonymous', principal: null });
    expect(s.driver.state('campaign', 'k1')).toBeUndefined();
    s.schedule({ ...scheduleFor('k1', fleet), commandId: 'k1-alice', principal: 'alice' });
    s.command('k1', 'CANCEL', [], 'bob');
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Queued' });
    s.command('k1', 'CANCEL', [], 'alice');
    expect(answers(s, 'k1')).toEqual([
      ['refused', 'mallory', 'SCHEDULE: principal "mallory" may not issue SCHEDULE (the command policy grants it FETCH_VERBOSE_LOGS)'],
      ['refused', null, 'SCHEDULE: the command names no principal, and the command policy grants commands to named principals only'],
      ['accepted', 'alice', 'SCHEDULE: campaign requested; it starts only after APPROVE by a principal other than "alice" (four eyes from 3 devices)'],
      ['refused', 'bob', 'CANCEL: principal "bob" may not issue CANCEL (the command policy grants it APPROVE, PAUSE, FETCH_VERBOSE_LOGS)'],
      ['accepted', 'alice', 'CANCEL: every accepted device gets CampaignCancelled'],
    ]);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Cancelled', reason: 'cancelled by user' });
  });

  it('R-SEC-2: a campaign of at least the policy\'s device count passes its checks to Queued and starts only on APPROVE by another principal; the scheduler, an ungranted principal and a second approval are refused', () => {
    const fleet = fleetOf('sec-4eyes-', 'LWM2M', [{}, {}, {}]);
    const s = new Scenario(fleet, T0, policy).schedule({ ...scheduleFor('k1', fleet), principal: 'alice' });
    expect(s.lastTransition('k1')).toMatchObject({ from: 'RequestPending', to: 'Queued', reason: 'checks passed; waiting for APPROVE by a principal other than "alice"' });
    s.advance(6 * HOUR);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Queued' });
    expect(deviceCommands(s)).toBe(0);

    s.command('k1', 'APPROVE', [], 'alice').command('k1', 'APPROVE', [], 'mallory');
    expect(deviceCommands(s)).toBe(0);
    s.command('k1', 'APPROVE', [], 'bob');
    expect(s.events('k1').filter((e) => e.type === 'STATE_CHANGED').slice(2).map((e) => [e.to, e.reason])).toEqual([
      ['InProgress', 'start date reached, approved by "bob"'],
      ['Finished', 'every device is final'],
    ]);
    s.command('k1', 'APPROVE', [], 'bob');
    expect(s.results('k1').map((r) => r.status)).toEqual(['UpgradeSuccess', 'UpgradeSuccess', 'UpgradeSuccess']);
    expect(answers(s, 'k1')).toEqual([
      ['accepted', 'alice', 'SCHEDULE: campaign requested; it starts only after APPROVE by a principal other than "alice" (four eyes from 3 devices)'],
      ['refused', 'alice', 'APPROVE: four eyes: "alice" scheduled the campaign, so another principal must approve it'],
      ['refused', 'mallory', 'APPROVE: principal "mallory" may not issue APPROVE (the command policy grants it FETCH_VERBOSE_LOGS)'],
      ['accepted', 'bob', 'APPROVE: approved by "bob"; the campaign starts when its checks pass and its start date comes'],
      ['refused', 'bob', 'APPROVE: the campaign was already approved by "bob"'],
    ]);
  });

  it('R-SEC-2: an approval may come before the checks pass; a campaign under the approval size starts at once and refuses APPROVE', () => {
    const fleet = fleetOf('sec-early-', 'MQTT', [{}, {}, {}]);
    const early = new Scenario(fleet, T0, policy);
    early.driver.pipeInput('campaign-commands', 'k1', { ...scheduleFor('k1', fleet), principal: 'alice', at: T0 });
    early.command('k1', 'APPROVE', [], 'bob');
    expect(early.transitions('k1')).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->Scheduled', 'Scheduled->InProgress', 'InProgress->Ended']);

    const small = fleetOf('sec-small-', 'MQTT', [{}, {}]);
    const s = new Scenario(small, T0, policy).schedule({ ...scheduleFor('k2', small), principal: 'alice' }).command('k2', 'APPROVE', [], 'bob');
    expect(s.transitions('k2').slice(0, 2)).toEqual(['null->RequestPending', 'RequestPending->Scheduled']);
    expect(answers(s, 'k2').at(-1)).toEqual(['refused', 'bob', 'APPROVE: the campaign needs no approval']);
  });

  it('R-SEC-2, R-SAFE-5: a dynamic campaign has no bound on its devices, so it waits for approval whatever its list, and opens to check-ins only once approved', () => {
    const fleet = fleetOf('sec-dyn-', 'LWM2M', [{}]);
    const s = new Scenario(fleet, T0, policy).schedule({ ...scheduleFor('k1', fleet, { dynamic: true, schedule: { endAt: T0 + 24 * HOUR } }), principal: 'alice' });
    expect(answers(s, 'k1')[0]).toEqual(['accepted', 'alice', 'SCHEDULE: campaign requested; it starts only after APPROVE by a principal other than "alice" (four eyes from 3 devices; a dynamic campaign has no bound)']);
    expect(s.lastTransition('k1')).toMatchObject({ to: 'Queued' });
    expect(s.driver.outputs('dynamic-campaigns')).toEqual([]);
    s.command('k1', 'APPROVE', [], 'bob');
    expect(s.lastTransition('k1')).toMatchObject({ to: 'InProgress', reason: 'start date reached, approved by "bob"' });
    expect(s.driver.outputs('dynamic-campaigns').map((r) => r.key)).toEqual(['k1']);
  });

  it('R-SEC-2: the audit trail holds every command with its principal, type, devices named, time and outcome', () => {
    const fleet = fleetOf('sec-audit-', 'LWM2M', [{}, {}, {}]);
    const s = new Scenario(fleet, T0, policy).schedule({ ...scheduleFor('k1', fleet), principal: 'alice' });
    s.command('k1', 'APPROVE', [], 'alice').command('k1', 'PAUSE', [], 'bob').command('k1', 'APPROVE', [], 'bob').command('k1', 'FETCH_VERBOSE_LOGS', [fleet[0]!.deviceId], 'carol');
    const audit = new Map([...s.driver.folded<Record<string, unknown>>('campaign_audit').values()].map((r) => [r.command_id, r]));
    const answered = new Map(s.events('k1').filter((e) => e.commandId).map((e) => [e.commandId, e]));
    const commands = s.driver.inputs<CampaignCommand>('campaign-commands').map((r) => r.value);
    expect(commands).toHaveLength(5);
    expect(audit.size).toBe(commands.length);
    for (const c of commands) {
      const answer = answered.get(c.commandId)!;
      expect(audit.get(c.commandId), c.commandId).toEqual({
        campaign_id: 'k1',
        command_id: c.commandId,
        command_type: c.type,
        principal: c.principal,
        device_ids: c.deviceIds.length,
        issued_at: new Date(c.at),
        outcome: answer.type === 'COMMAND_ACCEPTED' ? 'ACCEPTED' : 'REFUSED',
        reason: answer.reason,
        answered_at: new Date(answer.at),
      });
    }
    expect(commands.map((c) => audit.get(c.commandId)!.outcome)).toEqual(['ACCEPTED', 'REFUSED', 'REFUSED', 'ACCEPTED', 'REFUSED']);
    expect(answered.get(commands[4]!.commandId)).toMatchObject({ principal: 'carol', reason: `FETCH_VERBOSE_LOGS: ${fleet[0]!.deviceId} has collected no logs` });
  });
});
