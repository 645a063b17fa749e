// A build's processes do not all share one process group: the builder gives each command a group of its own so
// that it can stop it alone. Stopping the whole build therefore walks the tree under the build child.
import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc knows it: the start time tells it apart from a later process that reuses its PID. */
export interface ProcessId {
  pid: number;
  start: string;
}

function stat(pid: number): { parent: number; start: string } | null {
  try {
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ') ?? [];
    // After the name: state, ppid, …, starttime (field 22 of the whole line, 20th here).
    return { parent: Number(fields[1]), start: fields[19] ?? '' };
  } catch {
    return null; // exited while the tree was read
  }
}

/** The process and everything it started that is still running, parents before children. */
export function processTree(root: number): ProcessId[] {
  const children = new Map<number, ProcessId[]>();
  let rootId: ProcessId | undefined;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const info = stat(pid);
    if (info === null) continue;
    const id = { pid, start: info.start };
    if (pid === root) rootId = id;
    children.set(info.parent, [...(children.get(info.parent) ?? []), id]);
  }
  if (!rootId) return [];
  const tree = [rootId];
  for (let i = 0; i < tree.length; i += 1) tree.push(...(children.get(tree[i]?.pid ?? -1) ?? []));
  return tree;
}

/** Signals the processes that are still the ones seen, never a newcomer that got a recycled PID. */
export function signalProcesses(processes: readonly ProcessId[], signal: NodeJS.Signals): void {
  for (const { pid, start } of processes) {
    if (stat(pid)?.start !== start) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: gone since.
    }
  }
}
