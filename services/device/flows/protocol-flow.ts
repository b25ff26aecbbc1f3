import type { Checkin } from '../../../contracts/device-checkins.ts';
import type { StatusReport } from '../../../contracts/device-status-reports.ts';
import type { Decided, DeviceState, UpgradeTask } from '../task.ts';

/**
 * One protocol's upgrade flow (R-FLOW-1..3). The device actor keeps what every protocol shares —
 * acceptance, the one task (R-DEV-3), campaign controls, retry waits (R-REQ-3), whether a
 * deadline is due, grants nobody waits for — and hands each input of a running task to the flow
 * of its offer's protocol. A handler that returns undefined does not expect that input in the
 * task's step, and nothing changes.
 */
export interface ProtocolFlow {
  /** The campaign started, or a retry's wait ended: the flow begins from its first step. */
  start(state: DeviceState, task: UpgradeTask, now: number): Decided;
  /** The device checked in; `state.profile` is already this check-in (R-DEV-2). */
  onCheckin(state: DeviceState, task: UpgradeTask, checkin: Checkin, now: number): Decided | undefined;
  /** A report for the task (its campaign's, or naming none) after the flow started, outside a retry wait. */
  onReport(state: DeviceState, task: UpgradeTask, report: StatusReport, now: number): Decided | undefined;
  /**
   * The cell granted the token the task waits for. Only flows that take a cell token have it
   * (R-FLOW-1 step 3); MQTT and HTTP devices take none (README "Decisions").
   */
  onGrant?(state: DeviceState, task: UpgradeTask, now: number): Decided;
  /** The deadline of the task's step has come (a retry wait's is the actor's). */
  onWake(state: DeviceState, task: UpgradeTask, now: number): Decided;
  /** R-FLOW-4, R-RES-3: what a device still working fails with when its campaign ends. */
  endCause(task: UpgradeTask): string;
}
