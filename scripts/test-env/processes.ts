/**
 * The processes a test run left behind, found from /proc: those still in the run's process
 * group, and those carrying the run's marker in their environment (a child that made a
 * group or a session of its own still inherits it). Linux only, like the machines.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface LeftProcess {
  readonly pid: number;
  readonly command: string;
}

function statOf(pid: number): { pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '?';
  }
}

/** Live processes (not zombies' parents' view: a zombie has no cmdline and is skipped) of `pgrp` or marked with `marker` (NAME=value). */
export function processesOfRun(pgrp: number, marker: string, exclude: ReadonlySet<number>): LeftProcess[] {
  const found: LeftProcess[] = [];
  const needle = `${marker}\0`;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || exclude.has(pid)) continue;
    const stat = statOf(pid);
    if (stat === null) continue;
    const command = commandOf(pid);
    if (command === '' ) continue; // a zombie or a kernel thread
    if (stat.pgrp === pgrp || `\0${environOf(pid)}`.includes(`\0${needle}`)) found.push({ pid, command });
  }
  return found;
}

export function killAll(procs: readonly LeftProcess[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}
