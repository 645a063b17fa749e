// A machine for the deploy tests, on this one: a mount namespace in which /etc, /opt and /var/lib are writable
// overlays (what is written there stays in the namespace and goes with it), /opt/imger is this checkout, and a
// systemd runs the units as it would on a server. No systemd runs here (nor in CI), so it is root's user manager,
// started by hand: as root it applies every sandboxing option of the units (users, namespaces, capabilities,
// system call filters) with the system manager's own code. It needs /run/systemd/system to exist and the
// "inaccessible" nodes the system manager would have made, both given to it in a tmpfs of its own, and a cgroup
// of its own, removed with it.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { checkout } from './deploy-files.ts';

const run = promisify(execFile);

const setUp = `
set -euo pipefail
state=$1 checkout=$2 cgroup=$3
# systemd takes the cgroup it starts in for its own and moves whatever else is there into init.scope: it gets an
# empty one, as user@.service would give it, so that no other process of this machine is moved.
mkdir "$cgroup"
echo $$ > "$cgroup/cgroup.procs"
# DIR writable in this namespace only; its submounts (a container's /etc/resolv.conf …) are not part of the
# overlay's lower layer, so they are bound again from a view of the original.
overlay() {
  local dir=$1 name=$2 point
  mkdir -p "$state/$name/upper" "$state/$name/work" "$state/$name/original"
  mount --rbind "$dir" "$state/$name/original"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$state/$name/upper,workdir=$state/$name/work" "$dir"
  findmnt -rn -o TARGET -R "$state/$name/original" | tail -n +2 | while read -r point; do
    mount --bind "$point" "$dir${'$'}{point#"$state/$name/original"}"
  done
}
overlay /etc etc
overlay /opt opt
overlay /var/lib var-lib
mkdir -p /opt/imger
mount --bind "$checkout" /opt/imger
mount -t tmpfs -o mode=755 tmpfs /run/systemd
mkdir -p /run/systemd/system /run/systemd/inaccessible
cd /run/systemd/inaccessible
touch reg
mkdir dir
mkfifo fifo
mknod chr c 0 0
mknod blk b 0 0
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
chmod 0000 reg dir fifo chr blk sock
cd /
exec /lib/systemd/systemd --user
`;

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Machine {
  /** A path of the machine as this process reaches it (through the manager's /proc/PID/root). */
  path(inside: string): string;
  /** Runs a bash script inside the machine, as root, where `systemctl --user` reaches its manager. */
  sh(script: string, input?: string): Promise<string>;
  /** Where the units' output goes: a file per unit. */
  logs: string;
  /** The end of each log, for a failure's message. */
  logText(): string;
}

export async function startMachine(t: TestContext): Promise<Machine> {
  const state = mkdtempSync(join(tmpdir(), 'img-test-machine-'));
  const runtime = join(state, 'runtime');
  const logs = join(state, 'logs');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(logs);
  // The temporary folder of what runs in the machine outside units (tsx's cache of a command run as imger), gone
  // with the rest; reachable by that user.
  const temp = join(state, 'tmp');
  mkdirSync(temp);
  chmodSync(temp, 0o1777);
  chmodSync(state, 0o711);
  const managerLog = openSync(join(logs, 'manager.log'), 'a');
  const cgroup = join(cgroupOfThisProcess(), basename(state));
  // A user manager hands its own environment to its units: only what a system manager would give them (the
  // PATH of services, where `node` is the machine's and bin/imger.js hands over to the checkout's .runtime/ when
  // it is too old, as on a server). The commands run in the machine get the same PATH, as an admin's shell.
  const manager: ChildProcess = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'bash', '-c', setUp, 'set-up', state, checkout, cgroup],
    { env: { PATH: SYSTEM_PATH, XDG_RUNTIME_DIR: runtime }, stdio: ['ignore', managerLog, managerLog] },
  );
  const env = { ...process.env, PATH: SYSTEM_PATH, XDG_RUNTIME_DIR: runtime, TMPDIR: temp };
  // A user manager stops its units and exits on SIGTERM; the namespace, its mounts and overlays go with it.
  t.after(async () => {
    if (manager.exitCode === null && manager.signalCode === null) {
      const exited = new Promise((resolve) => manager.once('exit', resolve));
      manager.kill('SIGTERM');
      await exited;
    }
    closeSync(managerLog);
    rmSync(state, { recursive: true, force: true });
    removeCgroup(cgroup);
  });
  const sh = (script: string, input = ''): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        'nsenter',
        ['-t', String(manager.pid), '-m', '--', 'bash', '-euo', 'pipefail', '-c', script],
        { env, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`in the machine: ${script}\n${error.message}${stderr}`)) : resolve(stdout),
      );
      child.stdin?.end(input);
    });
  const logText = () =>
    readdirSync(logs)
      .map((name) => `== ${name}\n${readFileSync(join(logs, name), 'utf8').slice(-4000)}`)
      .join('\n');
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(runtime, 'systemd', 'private'))) {
    if (manager.exitCode !== null || Date.now() > deadline)
      assert.fail(`the machine's systemd did not start:\n${logText()}`);
    await sleep(100);
  }
  // Running, or degraded by a unit of the machine's own that failed: either way it takes orders.
  await run('systemctl', ['--user', 'is-system-running', '--wait'], { env, timeout: 30_000 }).catch(() => {});
  return { path: (inside) => `/proc/${manager.pid}/root${inside}`, sh, logs, logText };
}

/** The folder of this process's cgroup in the cgroup2 hierarchy (hybrid machines mount it apart from the rest). */
function cgroupOfThisProcess(): string {
  const mount = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[fields.indexOf('-') + 1] === 'cgroup2')?.[4];
  const path = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  assert.ok(mount && path, 'a cgroup2 hierarchy, which systemd needs');
  return join(mount, path);
}

/** The machine's cgroup and what its systemd left in it, deepest first: only empty cgroups can go. */
function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroup(join(dir, entry.name));
  }
  rmdirSync(dir);
}
