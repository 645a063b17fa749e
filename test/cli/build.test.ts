import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const imger = join(import.meta.dirname, '../../bin/imger.js');
const minimal = join(import.meta.dirname, '../../templates/debian-minimal.ks');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [imger, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function outdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imger-build-'));
  made.push(dir);
  return dir;
}

describe('imger build', () => {
  it('refuses an unknown type, a mic-only type and an unknown arch before any work', () => {
    const out = outdir();
    const unknown = run(['build', minimal, '-t', 'floppy', '-a', 'x86_64', '-o', out]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /kickstart-error.*unknown image type floppy/);
    const nand = run(['build', minimal, '-t', 'nand', '-a', 'x86_64', '-o', out]);
    assert.match(nand.stderr, /only by the mic backend/);
    const arch = run(['build', minimal, '-t', 'fs', '-a', 'sparc', '-o', out]);
    assert.match(arch.stderr, /architecture sparc cannot be built/);
  });

  it('names the kickstart line of a layout the native builder cannot make', () => {
    const dir = outdir();
    const ks = join(dir, 'lvm.ks');
    writeFileSync(ks, 'rootpw x\nvolgroup vg pv.1\n');
    const { code, stderr } = run(['build', ks, '-t', 'raw', '-a', 'x86_64', '-o', join(dir, 'out')]);
    assert.equal(code, 1);
    assert.match(stderr, /line 2: volgroup: the native builder does not make LVM volume groups/);
  });

  it('refuses an invalid kickstart with its first error line', () => {
    const dir = outdir();
    const ks = join(dir, 'bad.ks');
    writeFileSync(ks, 'lang C\npart / --size big\nfrobnicate\n');
    const { code, stderr } = run(['build', ks, '-t', 'fs', '-a', 'x86_64', '-o', join(dir, 'out')]);
    assert.equal(code, 1);
    assert.match(stderr, /line 2: part: --size expects a number, got "big" \(and 1 more error\)/);
    assert.equal(existsSync(join(dir, 'out', 'bad.tar.zst')), false);
  });

  it('builds the minimal template as fs, with the files mic would leave', () => {
    const out = outdir();
    const { code, stdout, stderr } = run(['build', minimal, '-t', 'fs', '-a', 'x86_64', '-o', out]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^\* .*debian-minimal\.tar\.zst$/m);
    for (const file of ['debian-minimal.ks', 'debian-minimal.log', 'debian-minimal.packages', 'SHA256SUMS']) {
      assert.ok(existsSync(join(out, file)), file);
    }
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    assert.match(sums, /debian-minimal\.tar\.zst/);
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const asBuilt = readFileSync(join(out, 'debian-minimal.ks'), 'utf8');
    assert.match(asBuilt, /^lang en_US\.UTF-8$/m);
    const listing = spawnSync(
      'tar',
      ['--zstd', '-tvf', join(out, 'debian-minimal.tar.zst'), './etc/img-release'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, /0\/0 .*\.\/etc\/img-release/);
  });
});
