import { execFileSync } from 'node:child_process';
import { projectRoot } from '../../services/runtime/topics.ts';

/** Integration tests run against the real stack: start it (a no-op when it is up). */
export default function setup(): void {
  execFileSync('bash', ['scripts/stack', 'up'], { cwd: projectRoot, stdio: 'inherit', timeout: 900_000 });
}
