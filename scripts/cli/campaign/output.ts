import cliProgress from 'cli-progress';
import type { CampaignProgress } from '../../../services/dashboard/queries.ts';

/**
 * Exit codes of `otaflow campaign`, for scripts: 0 accepted (and, when followed to its end, every
 * device upgraded); 1 could not run (configuration, connection, no answer); 2 refused, by the
 * local check or by the service; 3 the campaign failed its request (RequestFailed); 4 followed
 * to its end, some devices did not upgrade (failed, cancelled, aborted).
 */
export const EXIT = { ok: 0, error: 1, refused: 2, requestFailed: 3, notAllUpgraded: 4 } as const;

/** The exit code a campaign's state stands for. */
export function exitCodeOf(p: Pick<CampaignProgress, 'status' | 'succeeded' | 'accepted'>, followedToEnd: boolean): number {
  if (p.status === 'RequestFailed') return EXIT.requestFailed;
  if (!followedToEnd) return EXIT.ok;
  return p.status !== 'UpgradeFailed' && p.succeeded === p.accepted ? EXIT.ok : EXIT.notAllUpgraded;
}

export interface Out {
  readonly json: boolean;
  /** One result: JSON (one line) with --json, the human text otherwise. */
  result(value: unknown, human: string): void;
  /** A progress bar on stderr; nothing with --json. */
  bar(label: string): Bar;
}

export interface Bar {
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

export function output(json: boolean): Out {
  return {
    json,
    result: (value, human) => process.stdout.write(`${json ? JSON.stringify(value) : human}\n`),
    bar: (label) => (json ? { update: () => undefined, stop: () => undefined } : progressBar(label)),
  };
}

/** On a terminal the bar redraws in place; in a log (CI, a pipe) it prints a line every 2 s and the last state. */
function progressBar(label: string): Bar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} | {detail}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2_000,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail) {
      if (!started) bar.start(Math.max(total, 1), done, { detail });
      started = true;
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : c instanceof Date ? c.toISOString() : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** "UpgradeSuccess 110 · UpgradeFailed 10" */
export function countsText(counts: readonly { readonly status: string; readonly devices: number }[]): string {
  return counts.map((c) => `${c.status} ${c.devices}`).join(' · ') || 'no device decided yet';
}
