// Slow: real builds whose user code tries to get out of the sandbox: kickstart scripts of every kind, and the
// maintainer scripts of a package from the user's own apt repository. Each attack must fail and leave the
// host as it was: a world-writable canary folder unchanged, a root-only secret unread, /etc/shadow in no log
// or artifact, no connection to a listener on the host's loopback. The script builds reuse the minimal
// image's cached base root (images.test.ts makes the same one).
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import type { ImageRecipe, Script } from '../../src/builder/recipe.ts';
import { defaultWorkRoot } from '../../src/builder/workspace.ts';
import { escapeProgram, hostTargets, hostUntouched, leaks } from './escape.ts';
import { minimalRecipe } from './fixtures.ts';

const cacheDir = process.env.IMGER_TEST_CACHE ?? '/var/cache/imger';
const workRoot = await mkdtemp(join(await defaultWorkRoot(), 'imger-escape-work-'));
await chmod(workRoot, 0o755);
const outRoot = await mkdtemp(join(tmpdir(), 'imger-escape-out-'));
const builder = createNativeBuilder({ cacheDir, workRoot });
const targets = await hostTargets();

after(async () => {
  targets.listener.close();
  await rm(workRoot, { recursive: true, force: true });
  if (!process.env.KEEP) await rm(outRoot, { recursive: true, force: true });
  await rm(join(targets.canaryDir, '..'), { recursive: true, force: true });
});

/** Everything a build left in its output folder, as text (tarballs listed and unpacked to stdout). */
async function outputText(dir: string): Promise<string> {
  let text = '';
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    text += name.endsWith('.tar.zst')
      ? (await run('sh', ['-c', 'zstd -dc "$1" | tar -xOf -', 'sh', path], { onLine: () => {} })).stdout
      : await readFile(path, 'latin1');
  }
  return text;
}

async function assertHostUntouched(outputDir: string): Promise<string> {
  assert.deepEqual(await hostUntouched(targets), []);
  const log = await readFile(join(outputDir, (await readdir(outputDir)).find((f) => f.endsWith('.log'))!), 'utf8');
  assert.doesNotMatch(log, /BREACH\[/);
  assert.deepEqual(await leaks(targets, await outputText(outputDir)), []);
  return log;
}

describe('kickstart scripts', () => {
  test('%pre, %post --nochroot, %post and %pack cannot reach the host', async () => {
    const outputDir = join(outRoot, 'scripts');
    const base = await minimalRecipe('fs', outputDir, 'escape');
    const perl = (kind: Script['kind'], label: string, nochroot: boolean, extra = ''): Script => ({
      kind,
      interpreter: '/usr/bin/perl',
      nochroot,
      erroronfail: true,
      body: `${escapeProgram(targets, label)}\n${extra}`,
    });
    // IMG_OUT_DIR: links to host files, a fifo, a hard link, a hidden file, a name the build uses, and one
    // plain file, the only thing to come out.
    const plantOut = `
my $out = $ENV{IMG_OUT_DIR};
symlink('/etc/shadow', "$out/shadow-link");
symlink($secret, "$out/secret-link");
symlink("$ENV{INSTALL_ROOT}/etc/shadow", "$out/image-shadow-link");
require POSIX; POSIX::mkfifo("$out/fifo", 0644);
for my $name ('.hidden', 'escape.packages', 'SHA256SUMS', 'linked', "$label-note") {
  open(my $fh, '>', "$out/$name") or die "$name: $!"; print $fh "from $label\\n"; close $fh;
}
link("$out/linked", "$out/hard-link") or die "link: $!";
`;
    // In the image: links an attachment glob matches, pointing at host paths and at the image's shadow.
    const plantImage = `
symlink($secret, '/etc/imger-leak-secret');
symlink('/etc/shadow', '/etc/imger-leak-shadow');
open(my $fh, '>', '/etc/imger-leak-plain') or die $!; print $fh "plain\\n"; close $fh;
`;
    const recipe: ImageRecipe = {
      ...base,
      attachments: ['/etc/imger-leak-*'],
      scripts: [
        perl('pre', 'pre', true),
        ...base.scripts,
        perl('post', 'post-nochroot', true, plantOut),
        perl('post', 'post', false, plantImage),
        perl('pack', 'pack', true, plantOut),
      ],
    };
    const outcome = await builder.build({ recipe });
    if (!outcome.ok) assert.fail(JSON.stringify(outcome.failure));
    const log = await assertHostUntouched(outputDir);
    for (const label of ['pre', 'post-nochroot', 'post', 'pack']) {
      // Each attack ran to its end, and the kernel said no to the handle.
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] open_by_handle_at: \\d+ tries on \\d+ mounts: Operation not permitted$`, 'm'));
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] double chroot: no host marker from here`));
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] connect 127\\.0\\.0\\.1:${targets.port}: Connection refused`));
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] done`));
    }
    const names = outcome.artifacts.map((a) => a.file).sort();
    assert.deepEqual(names, [
      'SHA256SUMS',
      'escape.log',
      'escape.packages',
      'escape.tar.zst',
      'imger-leak-plain',
      'pack-note',
      'post-nochroot-note',
    ]);
    for (const refused of ['shadow-link', 'secret-link', 'image-shadow-link', 'fifo', 'linked', 'hard-link', '.hidden']) {
      assert.match(log, new RegExp(`IMG_OUT_DIR/${refused.replace('.', '\\.')}: not taken`));
    }
    assert.match(log, /IMG_OUT_DIR\/escape\.packages: not taken \(an artifact of the build has that name\)/);
    assert.doesNotMatch(await readFile(join(outputDir, 'escape.packages'), 'utf8'), /from /);
    // Owned by root, not by the sandbox's uid.
    for (const name of names) {
      const { stdout } = await run('stat', ['-c', '%u', join(outputDir, name)]);
      assert.equal(stdout.trim(), '0', name);
    }
  });
});
