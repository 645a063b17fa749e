// Slow: real builds whose user code tries to get out of the sandbox: kickstart scripts of every kind, and the
// maintainer scripts of a package from the user's own apt repository. Each attack must fail and leave the
// host as it was: a world-writable canary folder unchanged, a root-only secret unread, /etc/shadow in no log
// or artifact, no connection to a listener on the host's loopback. The script builds reuse the minimal
// image's cached base root (images.test.ts makes the same one).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readHostSources, sourcesForSuite } from '../../src/builder/apt-sources.ts';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import { baseRecipe, type ImageRecipe, type Script } from '../../src/builder/recipe.ts';
import { defaultWorkRoot } from '../../src/builder/workspace.ts';
import type { Manifest } from '../../src/contract/manifest.ts';
import { keyDataUrl } from '../../src/kickstart/index.ts';
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
  const log = await readFile(
    join(outputDir, (await readdir(outputDir)).find((f) => f.endsWith('.log'))!),
    'utf8',
  );
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
for my $name ('.hidden', 'escape.packages', 'escape.manifest.json', 'SHA256SUMS', 'linked', "$label-note") {
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
      assert.match(
        log,
        new RegExp(
          `ESCAPE\\[${label}\\] open_by_handle_at: \\d+ tries on \\d+ mounts: Operation not permitted$`,
          'm',
        ),
      );
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] double chroot: no host marker from here`));
      assert.match(
        log,
        new RegExp(`ESCAPE\\[${label}\\] connect 127\\.0\\.0\\.1:${targets.port}: Connection refused`),
      );
      assert.match(log, new RegExp(`ESCAPE\\[${label}\\] done`));
    }
    const names = outcome.artifacts.map((a) => a.file).sort();
    assert.deepEqual(names, [
      'SHA256SUMS',
      'escape.log',
      'escape.manifest.json',
      'escape.packages',
      'escape.tar.zst',
      'imger-leak-plain',
      'pack-note',
      'post-nochroot-note',
    ]);
    for (const refused of [
      'shadow-link',
      'secret-link',
      'image-shadow-link',
      'fifo',
      'linked',
      'hard-link',
      '.hidden',
    ]) {
      assert.match(log, new RegExp(`IMG_OUT_DIR/${refused.replace('.', '\\.')}: not taken`));
    }
    assert.match(log, /IMG_OUT_DIR\/escape\.packages: not taken \(an artifact of the build has that name\)/);
    assert.doesNotMatch(await readFile(join(outputDir, 'escape.packages'), 'utf8'), /from /);
    assert.match(
      log,
      /IMG_OUT_DIR\/escape\.manifest\.json: not taken \(an artifact of the build has that name\)/,
    );
    // The manifest is the builder's, and it lists the planted links as links: their targets never followed.
    const manifest = JSON.parse(await readFile(join(outputDir, 'escape.manifest.json'), 'utf8')) as Manifest;
    const entry = (path: string) => manifest.files.find((file) => file.path === path);
    assert.deepEqual(entry('/etc/imger-leak-shadow'), {
      path: '/etc/imger-leak-shadow',
      kind: 'link',
      mode: 0o777,
      uid: 0,
      gid: 0,
      target: '/etc/shadow',
    });
    assert.equal(entry('/etc/imger-leak-secret')?.kind, 'link');
    assert.equal(
      entry('/etc/imger-leak-plain')?.sha256,
      createHash('sha256').update('plain\n').digest('hex'),
    );
    // Owned by root, not by the sandbox's uid.
    for (const name of names) {
      const { stdout } = await run('stat', ['-c', '%u', join(outputDir, name)]);
      assert.equal(stdout.trim(), '0', name);
    }
  });
});

/** A throwaway signing key in a GnuPG home of its own; returns its armored public half. */
async function signingKey(home: string, name: string): Promise<string> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const gpg = ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', ''];
  await run('gpg', [...gpg, '--quick-gen-key', `${name} <${name}@imger.test>`, 'ed25519', 'sign', 'never']);
  return (await run('gpg', ['--homedir', home, '--armor', '--export'])).stdout;
}

/** Serves a folder on the host's loopback (where the sandbox cannot reach; only the host's apt fetches). */
async function serve(dir: string): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    const path = join(dir, normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
    stat(path).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        response.writeHead(200, { 'content-length': info.size });
        createReadStream(path).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/**
 * An apt repository (suite stable, component main) with one package whose postinst runs the attack and plants
 * links where the builder's later steps write or read: /etc/timezone and /etc/hostname (configure writes
 * them), /etc/hosts pointing into the canary folder, and an attachment pointing at the secret.
 */
async function evilAptRepo(dir: string, gnupg: string): Promise<void> {
  const key = await signingKey(gnupg, 'imger-evil');
  const pkg = join(dir, 'build/imger-evil');
  await mkdir(join(pkg, 'DEBIAN'), { recursive: true });
  await mkdir(join(pkg, 'usr/share/imger-evil'), { recursive: true });
  await writeFile(
    join(pkg, 'DEBIAN/control'),
    'Package: imger-evil\nVersion: 1.0\nArchitecture: all\nMaintainer: imger tests <t@imger.test>\nDescription: a package that tries to get out\n',
  );
  await writeFile(join(pkg, 'usr/share/imger-evil/escape.pl'), escapeProgram(targets, 'postinst'));
  await writeFile(
    join(pkg, 'DEBIAN/postinst'),
    `#!/bin/sh
perl /usr/share/imger-evil/escape.pl
ln -sfn ${targets.secretFile} /etc/timezone
ln -sfn ${targets.canaryFile} /etc/hostname
rm -f /etc/hosts && ln -s ${targets.canaryDir}/planted /etc/hosts
ln -sfn ${targets.secretFile} /etc/imger-leak-secret
ln -sfn /etc/shadow /etc/imger-leak-shadow
exit 0
`,
    { mode: 0o755 },
  );
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'pool'), { recursive: true });
  await mkdir(join(repo, 'dists/stable/main/binary-amd64'), { recursive: true });
  await run('dpkg-deb', ['--root-owner-group', '--build', pkg, join(repo, 'pool/imger-evil_1.0_all.deb')]);
  const packages = await run('apt-ftparchive', ['packages', 'pool'], { cwd: repo, onLine: () => {} });
  await writeFile(join(repo, 'dists/stable/main/binary-amd64/Packages'), packages.stdout);
  const release = await run(
    'apt-ftparchive',
    [
      '-o',
      'APT::FTPArchive::Release::Suite=stable',
      '-o',
      'APT::FTPArchive::Release::Codename=stable',
      '-o',
      'APT::FTPArchive::Release::Components=main',
      '-o',
      'APT::FTPArchive::Release::Architectures=amd64',
      'release',
      'dists/stable',
    ],
    { cwd: repo, onLine: () => {} },
  );
  await writeFile(join(repo, 'dists/stable/Release'), release.stdout);
  await run('gpg', [
    '--homedir',
    gnupg,
    '--batch',
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--clearsign',
    '-o',
    join(repo, 'dists/stable/InRelease'),
    join(repo, 'dists/stable/Release'),
  ]);
  await writeFile(join(repo, 'key.asc'), key);
}

describe('package maintainer scripts', () => {
  test("an apt package's postinst from the user's own repository cannot reach the host", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-evil-apt-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await evilAptRepo(dir, join(dir, 'gnupg'));
    const repo = await serve(join(dir, 'repo'));
    after(repo.close);
    const outputDir = join(outRoot, 'apt');
    const recipe: ImageRecipe = {
      ...baseRecipe('fs', 'x86_64', 'evil', outputDir),
      sources: [
        ...sourcesForSuite(await readHostSources(), 'bookworm'),
        {
          kind: 'apt',
          name: 'evil',
          url: repo.url,
          suite: 'stable',
          components: ['main'],
          gpgKey: `${repo.url}key.asc`,
        },
      ],
      packages: ['imger-evil'],
      hostname: 'evil',
      timezone: 'Europe/Helsinki',
      attachments: ['/etc/imger-leak-*'],
    };
    const outcome = await builder.build({ recipe });
    if (!outcome.ok) assert.fail(JSON.stringify(outcome.failure));
    const log = await assertHostUntouched(outputDir);
    assert.match(
      log,
      /repository evil: packages are verified with the key from http:\/\/127\.0\.0\.1:\d+\/key\.asc/,
    );
    assert.match(
      log,
      /ESCAPE\[postinst\] open_by_handle_at: \d+ tries on \d+ mounts: Operation not permitted$/m,
    );
    assert.match(log, /ESCAPE\[postinst\] double chroot: no host marker from here/);
    // No network at all during the bootstrap: its own loopback only, and no route anywhere else.
    assert.match(log, /ESCAPE\[postinst\] connect 127\.0\.0\.1:\d+: Connection refused/);
    assert.match(log, /ESCAPE\[postinst\] connect 10\.0\.2\.2:\d+: Network is unreachable/);
    assert.match(log, /ESCAPE\[postinst\] done/);
    // The links were replaced inside the image; none was followed, and no attachment is a link.
    const files = (name: string) =>
      run('sh', ['-c', 'zstd -dc "$1" | tar -xOf - "$2"', 'sh', join(outputDir, 'evil.tar.zst'), name]);
    assert.equal((await files('./etc/timezone')).stdout, 'Europe/Helsinki\n');
    assert.equal((await files('./etc/hostname')).stdout, 'evil\n');
    assert.ok(!outcome.artifacts.some((a) => a.file.startsWith('imger-leak')));
  });

  test('an apt repository signed with another key than the one given fails the build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-evil-apt-'));
    after(() => rm(dir, { recursive: true, force: true }));
    await evilAptRepo(dir, join(dir, 'gnupg'));
    const otherKey = await signingKey(join(dir, 'other'), 'someone-else');
    await writeFile(join(dir, 'repo/other.asc'), otherKey);
    const repo = await serve(join(dir, 'repo'));
    after(repo.close);
    const outputDir = join(outRoot, 'wrong-key');
    const outcome = await builder.build({
      recipe: {
        ...baseRecipe('fs', 'x86_64', 'wrongkey', outputDir),
        sources: [
          ...sourcesForSuite(await readHostSources(), 'bookworm'),
          {
            kind: 'apt',
            name: 'evil',
            url: repo.url,
            suite: 'stable',
            components: ['main'],
            gpgKey: `${repo.url}other.asc`,
          },
        ],
        packages: ['imger-evil'],
      },
    });
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.step, 'bootstrap');
    assert.match(await readFile(join(outputDir, 'wrongkey.log'), 'utf8'), /NO_PUBKEY|not signed/);
    assert.deepEqual(await hostUntouched(targets), []);
  });
});

/** Files of the host an rpm root needs to run the attack: a static busybox as /bin/sh, and perl. */
const rpmTools = [
  ['/bin/busybox', '/bin/sh'],
  ['/usr/bin/perl', '/usr/bin/perl'],
  ['/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/lib64/ld-linux-x86-64.so.2'],
  ...['libc.so.6', 'libm.so.6', 'libcrypt.so.1'].map((lib) => [
    `/lib/x86_64-linux-gnu/${lib}`,
    `/lib/x86_64-linux-gnu/${lib}`,
  ]),
  ['/usr/lib/x86_64-linux-gnu/perl-base', '/usr/lib/x86_64-linux-gnu/perl-base'],
];

/** A repository of two rpms: the tools, and a package whose %post runs the attack and plants links. */
async function evilRpmRepo(dir: string, gnupg: string): Promise<{ repo: string; key: string }> {
  const key = await signingKey(gnupg, 'imger-rpm');
  const top = join(dir, 'rpmbuild');
  await mkdir(join(top, 'SPECS'), { recursive: true });
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'src/escape.pl'), escapeProgram(targets, 'rpm-post'));
  const common = `Version: 1.0
Release: 1
License: MIT
AutoReqProv: no
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
`;
  const tools = `Name: imgtest-tools
Summary: a shell and perl for the attack
${common}%description
Tools.
%install
${rpmTools.map(([from, to]) => `mkdir -p %{buildroot}$(dirname ${to}) && cp -rL ${from} %{buildroot}${to}`).join('\n')}
%files
${rpmTools.map(([, to]) => to).join('\n')}
`;
  const evil = `Name: imgtest-evil
Summary: a package that tries to get out
BuildArch: noarch
Requires(post): imgtest-tools
${common}%description
Evil.
%install
mkdir -p %{buildroot}/usr/share/imgtest
cp ${join(dir, 'src/escape.pl')} %{buildroot}/usr/share/imgtest/escape.pl
%post
/usr/bin/perl /usr/share/imgtest/escape.pl
mkdir -p /etc
ln -sfn ${targets.secretFile} /etc/imger-leak-secret
exit 0
%files
/usr/share/imgtest/escape.pl
`;
  for (const [name, text] of [
    ['tools', tools],
    ['evil', evil],
  ] as const) {
    await writeFile(join(top, 'SPECS', `${name}.spec`), text);
    await run('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(top, 'SPECS', `${name}.spec`)], {
      onLine: () => {},
    });
  }
  const repo = join(dir, 'repo');
  await mkdir(repo);
  for (const arch of ['noarch', 'x86_64']) {
    for (const rpm of await readdir(join(top, 'RPMS', arch))) {
      await writeFile(join(repo, rpm), await readFile(join(top, 'RPMS', arch, rpm)));
      await run('rpmsign', [
        '--define',
        '__gpg /usr/bin/gpg',
        '--define',
        '_gpg_name imger-rpm',
        '--define',
        `_gpg_path ${gnupg}`,
        '--define',
        '_gpg_sign_cmd_extra_args --batch --pinentry-mode loopback --passphrase ""',
        '--addsign',
        join(repo, rpm),
      ]);
    }
  }
  await run('createrepo_c', ['-q', repo]);
  return { repo, key };
}

describe('rpm scriptlets', () => {
  test("an rpm's %post from a signed local repository cannot reach the host; another key fails the build", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imger-evil-rpm-'));
    after(() => rm(dir, { recursive: true, force: true }));
    // dnf reads a local repository in place, as the sandbox's uid.
    await chmod(dir, 0o755);
    const { repo, key } = await evilRpmRepo(dir, join(dir, 'gnupg'));
    const outputDir = join(outRoot, 'rpm');
    const recipe = (name: string, gpgKey: string): ImageRecipe => ({
      ...baseRecipe('fs', 'x86_64', name, outputDir),
      sources: [{ kind: 'rpm', name: 'evil', url: pathToFileURL(repo).href, gpgKey }],
      packages: ['imgtest-evil'],
      attachments: ['/etc/imger-leak-*'],
    });
    const outcome = await builder.build({ recipe: recipe('evilrpm', keyDataUrl(key)) });
    if (!outcome.ok) assert.fail(JSON.stringify(outcome.failure));
    const log = await assertHostUntouched(outputDir);
    assert.match(
      log,
      /repository evil: packages are verified with the key from data:application\/pgp-keys;base64/,
    );
    assert.match(
      log,
      /ESCAPE\[rpm-post\] open_by_handle_at: \d+ tries on \d+ mounts: Operation not permitted$/m,
    );
    assert.match(log, /ESCAPE\[rpm-post\] double chroot: no host marker from here/);
    assert.match(log, /ESCAPE\[rpm-post\] connect 127\.0\.0\.1:\d+: Connection refused/);
    assert.match(log, /ESCAPE\[rpm-post\] done/);
    assert.ok(!outcome.artifacts.some((a) => a.file.startsWith('imger-leak')));

    const other = await signingKey(join(dir, 'other'), 'someone-else');
    const refused = await builder.build({ recipe: recipe('wrongrpm', keyDataUrl(other)) });
    assert.ok(!refused.ok);
    assert.equal(refused.failure.step, 'bootstrap');
    assert.match(
      await readFile(join(outputDir, 'wrongrpm.log'), 'utf8'),
      /GPG check FAILED|public key|NOKEY|signature/i,
    );
    assert.deepEqual(await hostUntouched(targets), []);
  });
});
