import { TOOL_NEEDS } from '../../scripts/test-env/needs.js';
import { onPath } from '../../scripts/test-env/provision.js';

/**
 * Fails (never skips) when a tool of scripts/test-env/needs.ts is not installed, naming it,
 * its Debian package and what needs it: `npm test` installs it, a test run another way may not.
 */
export function requireTool(command: string): void {
  if (onPath(command)) return;
  const need = TOOL_NEEDS.find((n) => n.command === command);
  const pkg = need === undefined ? '' : ` (Debian package ${need.pkg}: ${need.why})`;
  throw new Error(`${command} is not installed${pkg}; npm test installs what the tests need (docs/testing.md)`);
}
