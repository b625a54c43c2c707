#!/usr/bin/env node
import { runCli } from './dispatch.js';

/** How long the process may stay alive after its command finished before it is ended. */
const LINGER_LIMIT_MS = 5_000;

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
    exitIfSomethingLingers();
  },
  (err: unknown) => {
    process.stderr.write(`easgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    exitIfSomethingLingers();
  },
);

/**
 * Once the command has finished (for `serve`: the graceful stop has drained the devices and
 * written what was pending), nothing of it is left to do. A handle something left open (a
 * Redis client still reconnecting to a node that died, a socket a peer never closed) must not
 * keep the process alive until the orchestrator kills it: the timer is unref'd, so it fires
 * only if the process would otherwise not have ended by itself.
 */
function exitIfSomethingLingers(): void {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    process.stderr.write(`easgate: still running ${LINGER_LIMIT_MS / 1000} s after finishing (open: ${open.join(', ') || 'none'}); exiting\n`);
    process.exit();
  }, LINGER_LIMIT_MS).unref();
}
