// The parts of VM mode that need no VM: the guest script's quoting, and the VM image template's tools.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { recordedTempFolder } from '../../../src/builder/build-records.ts';
import { removeLeftovers } from '../../../src/builder/leftovers.ts';
import { shellWord } from '../../../src/contract/shell-quote.ts';
import { guestScript } from '../../../src/service/worker/vm/guest-script.ts';
import { qemuValue } from '../../../src/service/worker/vm/qemu.ts';
import { takeOut } from '../../../src/service/worker/vm/run-build-in-vm.ts';
import { VM_TEMPLATE } from '../../../src/service/worker/vm/vm-image.ts';

const hostile = [`it's`, `$(touch /tmp/x)`, '`id`', 'a b\nc', `'; rm -rf / #`, '\\', '"$HOME"'];

test('a quoted value reaches the shell as itself, whatever it holds', () => {
  for (const value of hostile) {
    const result = spawnSync('sh', ['-c', `printf %s ${shellWord(value)}`], { encoding: 'utf8' });
    assert.equal(result.stdout, value);
  }
});

test("the guest script runs a job folder's hostile path as a path, never as a command", () => {
  const outputDir = `/srv/img/web/${hostile.join('')}`;
  const script = guestScript({
    shares: [{ tag: 'img.out', path: outputDir, readOnly: false }],
    cache: null,
    network: false,
    portName: 'img.child',
    node: '/usr/bin/node',
    args: ['/img/dist/build-child.js'],
    outputDir,
    orderPath: '/run/img-job/order.json',
  });
  // Parsed by sh without running: every line holds together, and the path appears only quoted.
  assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0);
  assert.ok(script.includes(shellWord(outputDir)));
  assert.ok(!script.replaceAll(shellWord(outputDir), '').includes('$(touch'));
});

test('the VM image template installs every tool of the native builder that builds run with', () => {
  const packages = (text: string) =>
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '');
  const system = packages(
    readFileSync(join(import.meta.dirname, '../../../scripts/system-packages.txt'), 'utf8'),
  );
  const template = readFileSync(VM_TEMPLATE, 'utf8');
  const inImage = packages(/%packages\n([\s\S]*?)%end/.exec(template)?.[1] ?? '');
  // What only the host or the tests need: rpm roots (dnf), foreign architectures (qemu-user), boot tests.
  const hostOnly = [
    'rpm',
    'dnf',
    'createrepo-c',
    'busybox-static',
    'qemu-system-x86',
    'ovmf',
    'qemu-user-static',
    'binfmt-support',
    'arch-test',
  ];
  assert.deepEqual(
    system.filter((name) => !hostOnly.includes(name) && !inImage.includes(name)),
    [],
  );
});

test("a build VM's temp folder is recorded as a build's: a worker's start removes it once its owner is gone", async (t) => {
  const recordsDir = await mkdtemp(join(tmpdir(), 'imger-records-'));
  t.after(() => rm(recordsDir, { recursive: true, force: true }));
  const live = await recordedTempFolder(recordsDir, `imger-vm-${process.pid}-`);
  t.after(() => live.remove());
  // A worker killed with -9 while its build ran: its record names a folder, its process is gone.
  const dead = await recordedTempFolder(recordsDir, 'imger-vm-999999999-');
  t.after(() => rm(dead.path, { recursive: true, force: true }));
  for (const name of readdirSync(recordsDir)) {
    const file = join(recordsDir, name);
    const record = JSON.parse(readFileSync(file, 'utf8')) as { owner: { pid: number }; folders: string[] };
    if (record.folders.includes(dead.path))
      writeFileSync(file, JSON.stringify({ ...record, owner: { ...record.owner, pid: 999999999 } }));
  }
  const lines: string[] = [];
  await removeLeftovers(recordsDir, (line) => lines.push(line));
  assert.equal(existsSync(dead.path), false);
  assert.equal(existsSync(live.path), true);
  assert.ok(lines.some((line) => line.includes(dead.path)));
  await live.remove();
  assert.equal(existsSync(live.path), false);
  assert.deepEqual(readdirSync(recordsDir), []);
});

test('what the guest leaves in its share becomes a job file only as a new regular file with a plain name', async (t) => {
  const share = await mkdtemp(join(tmpdir(), 'imger-share-'));
  const job = await mkdtemp(join(tmpdir(), 'imger-job-'));
  const secret = await mkdtemp(join(tmpdir(), 'imger-secret-'));
  t.after(() => Promise.all([share, job, secret].map((dir) => rm(dir, { recursive: true, force: true }))));
  await writeFile(join(secret, 'key'), 'host secret');
  await writeFile(join(job, 'img.log'), 'the worker’s log');
  await writeFile(join(share, 'img.raw'), 'an image', { mode: 0o600 });
  await writeFile(join(share, 'img.log'), 'a forged log');
  await writeFile(join(share, '.hidden'), 'dot');
  await writeFile(join(share, 'bad\nname'), 'newline');
  await symlink(join(secret, 'key'), join(share, 'link'));
  await mkdir(join(share, 'folder'));
  spawnSync('mkfifo', [join(share, 'fifo')]);
  const notes: string[] = [];
  await takeOut(share, job, (line) => notes.push(line));
  assert.deepEqual(readdirSync(job).sort(), ['img.log', 'img.raw']);
  assert.equal(readFileSync(join(job, 'img.log'), 'utf8'), 'the worker’s log');
  assert.equal(readFileSync(join(job, 'img.raw'), 'utf8'), 'an image');
  assert.equal(statSync(join(job, 'img.raw')).mode & 0o777, 0o644);
  assert.equal(readFileSync(join(secret, 'key'), 'utf8'), 'host secret');
  assert.equal(notes.length, 5, notes.join('\n'));
});

test("a value with a comma stays one value of qemu's option", () => {
  assert.equal(qemuValue('/srv/a,readonly=off'), '/srv/a,,readonly=off');
  assert.equal(qemuValue('/srv/plain'), '/srv/plain');
});
