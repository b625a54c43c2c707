import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CONSOLE_DIR = join(ROOT, 'dist/web');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    t = Math.max(t, s.isDirectory() ? newest(full) : s.mtimeMs);
  }
  return t;
}

/**
 * The console as `npm run build` makes it (dist/web): built again when web/ is newer than
 * the build. Test files run in parallel, so one builds under a lock and the others wait.
 */
export async function ensureConsoleBuilt(): Promise<string> {
  const index = join(CONSOLE_DIR, 'index.html');
  const fresh = (): boolean => existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'web'));
  if (fresh()) return CONSOLE_DIR;
  const lock = join(ROOT, 'dist/.web-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the console build lock ${lock} is held for 2 minutes: remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 200));
      if (fresh()) return CONSOLE_DIR;
    }
  }
  try {
    if (!fresh()) execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts')], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return CONSOLE_DIR;
}
