import { describe, expect, it } from 'vitest';
import { OPEN_POLICY, needsApproval, parseCommandPolicy, policyRefusal } from './command-policy.ts';
import { parseCampaignConfig } from './config.ts';

describe('the command policy (R-SEC-2)', () => {
  const policy = parseCommandPolicy(JSON.stringify({ principals: { alice: ['SCHEDULE', 'APPROVE'], '*': ['PAUSE'] }, approval: { minDevices: 1000 } }), 'policy.json');

  it('R-SEC-2: grants a principal its own commands and those of "*"; refuses others, naming what it may do; refuses an unnamed principal', () => {
    expect(policyRefusal(policy, 'SCHEDULE', 'alice')).toBeUndefined();
    expect(policyRefusal(policy, 'PAUSE', 'alice')).toBeUndefined();
    expect(policyRefusal(policy, 'PAUSE', 'zoe')).toBeUndefined();
    expect(policyRefusal(policy, 'ABORT', 'alice')).toBe('principal "alice" may not issue ABORT (the command policy grants it SCHEDULE, APPROVE, PAUSE)');
    expect(policyRefusal(policy, 'SCHEDULE', 'zoe')).toBe('principal "zoe" may not issue SCHEDULE (the command policy grants it PAUSE)');
    expect(policyRefusal(policy, 'PAUSE', null)).toBe('the command names no principal, and the command policy grants commands to named principals only');
    const none = parseCommandPolicy('{"principals": {}}', 'p');
    expect(policyRefusal(none, 'CANCEL', 'alice')).toBe('principal "alice" may not issue CANCEL (the command policy grants it no command)');
  });

  it('R-SEC-2: four eyes from the policy\'s device count; no policy grants everything and asks no approval', () => {
    expect([needsApproval(policy, 999), needsApproval(policy, 1000)]).toEqual([false, true]);
    expect(policyRefusal(OPEN_POLICY, 'ABORT', null)).toBeUndefined();
    expect(needsApproval(OPEN_POLICY, 1e9)).toBe(false);
  });

  it('R-SEC-2: a policy document with anything unknown or malformed fails the start, naming it', () => {
    const fails = (doc: string) => () => parseCommandPolicy(doc, 'policy.json');
    expect(fails('{')).toThrow(/^policy\.json: not JSON/);
    expect(fails('[]')).toThrow('policy.json: expected an object');
    expect(fails('{"principal": {}}')).toThrow('policy.json: unknown field(s) principal; expected principals, approval');
    expect(fails('{"principals": {"alice": ["SCHEDULE", "DELETE"]}}')).toThrow('policy.json: principals.alice: unknown command(s) "DELETE"; known: SCHEDULE, CANCEL');
    expect(fails('{"principals": {"alice": "SCHEDULE"}}')).toThrow('policy.json: principals.alice: expected a list of commands');
    expect(fails('{"principals": {" ": []}}')).toThrow('policy.json: principals: a principal is blank');
    expect(fails('{"approval": {"minDevices": 0}}')).toThrow('policy.json: approval: expected {"minDevices": a whole number of at least 1}, got {"minDevices":0}');
  });

  it('R-SEC-2: the campaign service reads its policy from OTAFLOW_COMMAND_POLICY_FILE or OTAFLOW_COMMAND_POLICY, and says when there is none', () => {
    expect(parseCampaignConfig({ OTAFLOW_COMMAND_POLICY: '{"approval": {"minDevices": 5}}' }).policy).toEqual({ grants: null, approvalFromDevices: 5 });
    const open = parseCampaignConfig({});
    expect(open.policy).toBe(OPEN_POLICY);
    expect(open.warnings).toEqual([expect.stringContaining('no command policy (OTAFLOW_COMMAND_POLICY_FILE)')]);
    expect(() => parseCampaignConfig({ OTAFLOW_COMMAND_POLICY: '{"principals": []}' })).toThrow('OTAFLOW_COMMAND_POLICY: principals: expected an object');
    expect(() => parseCampaignConfig({ OTAFLOW_COMMAND_POLICY_FILE: '/nonexistent/policy.json' })).toThrow('OTAFLOW_COMMAND_POLICY_FILE: cannot read "/nonexistent/policy.json": ENOENT');
  });
});
