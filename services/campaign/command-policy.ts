import { commandTypes, type CommandType } from '../../contracts/campaign-commands.ts';

/**
 * R-SEC-2: which principal may issue which campaign command, and which campaigns wait for a
 * second principal's APPROVE (four eyes). The principal is what the command names: Kafka ACLs
 * decide who may write campaign.commands at all (docs/threat-model.md).
 */
export interface CommandPolicy {
  /** Commands per principal, `*` granting to every named principal; null: no policy, any command from anyone. */
  readonly grants: ReadonlyMap<string, ReadonlySet<CommandType>> | null;
  /** A SCHEDULE of at least this many devices starts only after APPROVE by another principal; null: none does. */
  readonly approvalFromDevices: number | null;
}

export const OPEN_POLICY: CommandPolicy = Object.freeze({ grants: null, approvalFromDevices: null });

const EVERY_PRINCIPAL = '*';

/** Why the policy refuses `principal` the command `type`; undefined when it may issue it. */
export function policyRefusal(policy: CommandPolicy, type: CommandType, principal: string | null): string | undefined {
  if (!policy.grants) return undefined;
  if (!principal) return 'the command names no principal, and the command policy grants commands to named principals only';
  const granted = [...(policy.grants.get(principal) ?? []), ...(principal === EVERY_PRINCIPAL ? [] : (policy.grants.get(EVERY_PRINCIPAL) ?? []))];
  if (granted.includes(type)) return undefined;
  return `principal ${JSON.stringify(principal)} may not issue ${type} (the command policy grants it ${granted.length === 0 ? 'no command' : [...new Set(granted)].join(', ')})`;
}

/** Whether a campaign of `devices` devices needs a second principal's APPROVE to start. */
export const needsApproval = (policy: CommandPolicy, devices: number): boolean => policy.approvalFromDevices !== null && devices >= policy.approvalFromDevices;

/**
 * The policy document: `{"principals": {"<principal>" | "*": ["SCHEDULE", …]}, "approval":
 * {"minDevices": n}}`, both optional. Anything else fails naming it, so a typo never opens or
 * closes more than the operator wrote.
 */
export function parseCommandPolicy(text: string, source: string): CommandPolicy {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) return fail('expected an object {"principals": {...}, "approval": {"minDevices": n}}');
  const unknown = Object.keys(doc).filter((k) => k !== 'principals' && k !== 'approval');
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}; expected principals, approval`);
  const known: ReadonlySet<string> = new Set(commandTypes);
  let grants: Map<string, ReadonlySet<CommandType>> | null = null;
  if (doc.principals !== undefined) {
    if (!isObject(doc.principals)) fail('principals: expected an object of principal → list of commands');
    grants = new Map();
    for (const [principal, list] of Object.entries(doc.principals as Record<string, unknown>)) {
      if (!principal.trim()) fail('principals: a principal is blank');
      if (!Array.isArray(list)) return fail(`principals.${principal}: expected a list of commands`);
      const wrong = list.filter((c) => typeof c !== 'string' || !known.has(c));
      if (wrong.length > 0) fail(`principals.${principal}: unknown command(s) ${wrong.map((w) => JSON.stringify(w)).join(', ')}; known: ${commandTypes.join(', ')}`);
      grants.set(principal, new Set(list as CommandType[]));
    }
  }
  let approvalFromDevices: number | null = null;
  if (doc.approval !== undefined) {
    const minDevices = isObject(doc.approval) ? doc.approval.minDevices : undefined;
    if (!Number.isSafeInteger(minDevices) || (minDevices as number) < 1) fail(`approval: expected {"minDevices": a whole number of at least 1}, got ${JSON.stringify(doc.approval)}`);
    approvalFromDevices = minDevices as number;
  }
  return Object.freeze({ grants, approvalFromDevices });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
