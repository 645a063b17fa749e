// What builds killed without their cleanup left on this host (see build-records.ts), removed when a worker
// starts: the processes still working in their folders, the mounts and loop devices under them, the folders.
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadRecords } from './build-records.ts';
import { processesUsing, removeTree } from './workspace.ts';

/** Rounds of SIGKILL for what a dead build left running: a killed command's shell may start the next one. */
const KILL_ROUNDS = 20;

async function stopProcessesIn(folder: string, log: (line: string) => void): Promise<void> {
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const users = await processesUsing(folder);
    if (users.length === 0) return;
    log(`killing processes left in ${folder}: ${users.join(' ')}`);
    for (const pid of users) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone since.
      }
    }
    await sleep(100);
  }
  throw new Error(`processes keep working in ${folder}`);
}

/**
 * Removes what the builds recorded in recordsDir left when their owner is gone, and their records; a folder
 * that cannot be removed keeps its record, for the next start. Resolves to the folders removed.
 */
export async function removeLeftovers(recordsDir: string, log: (line: string) => void): Promise<string[]> {
  const removed: string[] = [];
  let dead: Awaited<ReturnType<typeof deadRecords>>;
  try {
    dead = await deadRecords(recordsDir);
  } catch (error) {
    // A worker that may not read them (not root) cannot remove what they name either; it builds on.
    log(`cannot read the build records in ${recordsDir}: ${(error as Error).message}`);
    return removed;
  }
  for (const leftover of dead) {
    try {
      for (const folder of leftover.folders) {
        await stopProcessesIn(folder, log);
        await removeTree(folder);
        removed.push(folder);
        log(`removed ${folder}, left by process ${leftover.owner.pid} that is gone`);
      }
      await rm(leftover.file, { force: true });
    } catch (error) {
      log(`could not remove what ${leftover.file} records: ${(error as Error).message}`);
    }
  }
  return removed;
}
