// Slow: bootable images from an rpm repository (rpm-test-repo.ts: made once per inputs, served over HTTP on
// loopback). One raw build, booted with BIOS and with UEFI; one livecd, booted with BIOS; the %packages options
// on fs builds, which skip the disk.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootTest, type Firmware } from '../../src/builder/boot-test.ts';
import { createNativeBuilder } from '../../src/builder/builder.ts';
import { run } from '../../src/builder/exec.ts';
import { resolveKickstart } from '../../src/builder/from-kickstart.ts';
import type { ImageType } from '../../src/builder/image-types.ts';
import type { BuildOutcome } from '../../src/builder/publish.ts';
import { defaultWorkRoot } from '../../src/builder/workspace.ts';
import { bootMarker } from './fixtures.ts';
import { docFile, firewallArgsFile, serveFolder, testRpmRepo, translations } from './rpm-test-repo.ts';

const cacheDir = process.env.IMGER_TEST_CACHE ?? '/var/cache/imger';
const workRoot = await mkdtemp(join(await defaultWorkRoot(), 'imger-rpm-work-'));
await chmod(workRoot, 0o755);
const outRoot = await mkdtemp(join(tmpdir(), 'imger-rpm-out-'));
const builder = createNativeBuilder({ cacheDir, workRoot });
let server: Awaited<ReturnType<typeof serveFolder>>;

before(async () => {
  server = await serveFolder(await testRpmRepo(cacheDir));
});
after(async () => {
  await server?.close();
  await rm(workRoot, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
});

/**
 * A kickstart as a Fedora user writes one: a url line (its kind found by asking the repository), the core group
 * by default, an exclude, --excludedocs, a root password, and a %post that leaves the boot marker and checks the
 * options took.
 */
function kickstart(packagesHeader = '%packages --excludedocs', extra = '', commands = ''): string {
  return `url --url=${server.url}
rootpw imgtest
network --hostname=imgrpm
timezone UTC --utc
bootloader --timeout=1 --append="console=ttyS0,115200n8"
${commands}${packagesHeader}
imgtest-docs
-imgtest-extra
${extra}%end
%post --erroronfail
set -e
[ -e /usr/share/imgtest/docs.txt ] && [ ! -e ${docFile} ]
echo "echo ${bootMarker} IMG-MARKER name=$IMG_NAME > /dev/console" > /etc/rc.d/50-marker.sh
%end
`;
}

async function build(type: ImageType, name: string, text = kickstart()): Promise<BuildOutcome> {
  const outputDir = join(outRoot, name);
  const { recipe } = await resolveKickstart(
    { kickstart: text, type, arch: 'x86_64', name, outputDir },
    AbortSignal.timeout(60_000),
  );
  const outcome = await builder.build({ recipe });
  assert.deepEqual(await readdir(workRoot), [], 'work folders left');
  return outcome;
}

function mainArtifact(outcome: BuildOutcome): string {
  if (!outcome.ok) assert.fail(`build failed: ${JSON.stringify(outcome.failure)}`);
  return outcome.artifacts.find((artifact) => artifact.main)!.path;
}

let raw: Promise<BuildOutcome> | undefined;
const rawBuild = () => {
  raw ??= build('raw', 'rpmraw');
  return raw;
};

async function boots(image: string, firmware: Firmware, name: string) {
  const result = await bootTest(image, {
    firmware,
    expect: new RegExp(`${bootMarker} IMG-MARKER name=${name}`),
    timeoutS: 300,
  });
  assert.ok(result.pass, `${result.reason}\n${result.serialLog.slice(-3000)}`);
  assert.match(result.serialLog, /imgrpm login:/);
}

describe('native builder, bootable images from rpm repositories', () => {
  test('raw: the kernel scriptlet made the initramfs, the group and options were applied', async () => {
    mainArtifact(await rawBuild());
    const dir = join(outRoot, 'rpmraw');
    const packages = await readFile(join(dir, 'rpmraw.packages'), 'utf8');
    assert.match(packages, /^kernel-1\.0-1\.x86_64$/m);
    // From @core, the comps group, added as Anaconda adds it:
    assert.match(packages, /^busybox-1\.0-1\.x86_64$/m);
    assert.match(packages, /^imgtest-init-1\.0-1\.noarch$/m);
    // imgtest-init's weak dependency, installed as Anaconda installs them:
    assert.match(packages, /^imgtest-weak-1\.0-1\.noarch$/m);
    // In @core but excluded by -imgtest-extra:
    assert.doesNotMatch(packages, /imgtest-extra/);
    const log = await readFile(join(dir, 'rpmraw.log'), 'utf8');
    assert.match(log, /adding group @core, as Anaconda does unless %packages --nocore/);
    assert.match(log, /adding package kernel: a bootable image needs a kernel/);
    assert.match(log, /imgtest-mkinitrd: made \/boot\/initramfs-\S+\.img/);
    assert.match(log, /the packages' scriptlets made \/boot\/initramfs-/);
    assert.match(log, /repository url is unsigned/);
  });

  test('raw boots with BIOS to the login prompt and the %post marker', async () => {
    await boots(mainArtifact(await rawBuild()), 'bios', 'rpmraw');
  });

  test('raw boots with UEFI to the login prompt and the %post marker', async () => {
    await boots(mainArtifact(await rawBuild()), 'uefi', 'rpmraw');
  });

  test('livecd: a hybrid ISO whose squashfs root dracut-style live initramfs finds, boots with BIOS', async () => {
    const outcome = await build('livecd', 'rpmlive');
    const iso = mainArtifact(outcome);
    const listing = (await run('xorriso', ['-indev', iso, '-find', '/LiveOS', '-type', 'f'])).stdout;
    assert.match(listing, /\/LiveOS\/squashfs\.img/);
    await boots(iso, 'bios', 'rpmlive');
  });

  test('--nocore, --exclude-weakdeps, --inst-langs, selinux, firewall and repo --install as Anaconda applies them', async () => {
    const outcome = await build(
      'fs',
      'rpmoptions',
      kickstart(
        '%packages --excludedocs --nocore --exclude-weakdeps --inst-langs=de',
        'busybox\nimgtest-init\nshadow-utils\nfirewalld\nselinux-policy\n',
        `selinux --permissive\nfirewall --enabled --service=mdns --port=8080:tcp\nrepo --name=imgtest --baseurl=${server.url} --cost=10 --install\n`,
      ),
    );
    const tarball = mainArtifact(outcome);
    const packages = await readFile(join(outRoot, 'rpmoptions', 'rpmoptions.packages'), 'utf8');
    // In @core only, and the weak dependency:
    assert.doesNotMatch(packages, /imgtest-initramfs|imgtest-weak/);
    assert.match(packages, /^imgtest-init-1\.0-1\.noarch$/m);
    const file = async (path: string) =>
      (await run('tar', ['-I', 'zstd', '-xOf', tarball, `.${path}`])).stdout;
    const listing = (await run('tar', ['-I', 'zstd', '-tf', tarball])).stdout;
    assert.ok(listing.includes(`.${translations.de}\n`), 'the German translation is installed');
    assert.ok(!listing.includes(`.${translations.fr}`), 'the French one is not');
    assert.equal(await file('/etc/rpm/macros.image-language-conf'), '%_install_langs de\n');
    assert.equal(await file('/etc/selinux/config'), 'SELINUX=permissive\nSELINUXTYPE=targeted\n');
    assert.ok(listing.includes('./.autorelabel\n'));
    assert.equal(await file(firewallArgsFile), '--enabled\n--service=ssh\n--port=8080:tcp\n--service=mdns\n');
    // repo --install: the image's own dnf finds it; the url line, not marked, is not there.
    assert.equal(
      await file('/etc/yum.repos.d/imgtest.repo'),
      `[imgtest]\nname=imgtest\nbaseurl=${server.url}\nenabled=1\ncost=10\ngpgcheck=0\n`,
    );
    assert.ok(!listing.includes('./etc/yum.repos.d/url.repo'));
    const log = await readFile(join(outRoot, 'rpmoptions', 'rpmoptions.log'), 'utf8');
    assert.doesNotMatch(log, /adding group @core/);
  });

  test('firewall --enabled on an image without firewalld is the kickstart error, naming the line', async () => {
    const outcome = await build('fs', 'rpmnofirewall', kickstart(undefined, '', 'firewall --enabled\n'));
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'kickstart-error');
    assert.match(
      outcome.failure.message,
      /line 6: firewall --enabled: the image has no \/usr\/bin\/firewall-offline-cmd/,
    );
  });

  test('a package no repository has fails the build, naming it and the repository searched', async () => {
    const outcome = await build('fs', 'rpmmissing', kickstart('%packages --excludedocs', 'imgtest-nosuch\n'));
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.class, 'package-not-found');
    assert.deepEqual(outcome.failure.details?.packages, ['imgtest-nosuch']);
    assert.deepEqual(outcome.failure.details?.sources, [server.url]);
  });

  test('%packages --ignoremissing: the missing package is skipped and the image is made', async () => {
    const outcome = await build(
      'fs',
      'rpmignore',
      kickstart('%packages --excludedocs --ignoremissing', 'imgtest-nosuch\n'),
    );
    const tarball = mainArtifact(outcome);
    const listing = (await run('tar', ['-I', 'zstd', '-tf', tarball])).stdout;
    assert.match(listing, /\.\/usr\/bin\/busybox/);
    const log = await readFile(join(outRoot, 'rpmignore', 'rpmignore.log'), 'utf8');
    assert.match(log, /No match for argument: imgtest-nosuch/);
    // The same inputs again: the base root comes from the cache, dnf does not run.
    mainArtifact(
      await build(
        'fs',
        'rpmignore2',
        kickstart('%packages --excludedocs --ignoremissing', 'imgtest-nosuch\n'),
      ),
    );
    const again = await readFile(join(outRoot, 'rpmignore2', 'rpmignore2.log'), 'utf8');
    assert.match(again, /using the cached base root/);
    assert.doesNotMatch(again, /dnf chose/);
  });
});
