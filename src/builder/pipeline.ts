// The native builder's steps and the state they pass along. Each step reads what earlier steps produced and
// adds its own outputs; which steps run depends on the image type.
import { mkdir, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_SUFFIX, type ManifestPackage } from '../contract/manifest.ts';
import { aptSourcesOf, onlyHostSources, readHostSources, renderSourcesList } from './apt-sources.ts';
import { archInfo } from './arches.ts';
import {
  type BootstrapInput,
  bootstrapRoot,
  excludesPreferences,
  storeTarball,
  unpackCachedRoot,
} from './bootstrap.ts';
import {
  baseRootKey,
  builderVersion,
  cachePaths,
  canonicalJson,
  RepositoryUnreachable,
  releaseDigest,
  repomdDigest,
} from './cache.ts';
import { configureRoot, type PendingServices, sandboxedImage, servicesMadeByScripts } from './configure.ts';
import { BuildFailure, classifyFailure } from './failures.ts';
import { digestFile } from './file-digest.ts';
import { madeInSandbox, makeTreeFilesystem, sizeForTree } from './filesystems.ts';
import { enableForeignArch } from './foreign-arch.ts';
import { bootableArchProblem, hasLayout, imageTypeInfo, mainArtifactName } from './image-types.ts';
import { regenerateIfChanged } from './initramfs.ts';
import { installedRepoFiles } from './installed-repos.ts';
import { type Layout, planLayout } from './layout.ts';
import { makeHybridIso, stageLiveMedia } from './live-iso.ts';
import { writeManifest } from './manifest.ts';
import { takeRegularFiles } from './out-folder.ts';
import { packImageRoot } from './pack-root.ts';
import { needsBoot, selectPackages } from './packages.ts';
import { exists } from './paths.ts';
import type { Artifact } from './publish.ts';
import { assembleRawDisk } from './raw-disk.ts';
import type { ImageRecipe, PackageSource, RpmRepo } from './recipe.ts';
import {
  type BootFiles,
  copyAttachments,
  findInitrd,
  kernelVersions,
  virtImageXml,
  writeChecksums,
  writePackageList,
  writeRpmPackageList,
} from './records.ts';
import { type Reproducibility, seedOf } from './reproducible.ts';
import { normaliseTree } from './reproducible-tree.ts';
import { provideRpmInitramfs } from './rpm-initramfs.ts';
import { fetchRpmClosure, installRpmRoot, type RepoKeys } from './rpm-root.ts';
import type { Step, StepContext } from './runner.ts';
import { resolveInImage, type SandboxPlaces } from './sandbox.ts';
import { runScripts } from './scripts.ts';
import { materializeKey } from './signing-keys.ts';
import type { StepName } from './steps.ts';
import { unreachableBy } from './workspace.ts';

export interface BuildState {
  recipe: ImageRecipe;
  cacheDir: string;
  /** NativeBuilderOptions.onBaseRootStored, given the tarball's path. */
  onBaseRootStored?: (tarball: string) => Promise<void>;
  /** Host-only scratch (apt's state, the boot loader's files); the sandboxes see only `places`. */
  workDir: string;
  places: SandboxPlaces;
  /** The admin's folder of signing keys a kickstart may name by path; '' for none. */
  gpgKeyDir: string;
  /** Artifacts are written here and moved into the output folder only when the build succeeds. */
  stageDir: string;
  /** Files in stageDir that are part of the result (the log is added by the builder). */
  artifacts: Artifact[];
  bootstrap?:
    | { kind: 'apt'; input: BootstrapInput; tarball: string }
    /** `recipe`: the kickstart's, with what the type needs to boot added to its packages. */
    | { kind: 'rpm'; keys: RepoKeys; recipe: ImageRecipe; tarball?: string };
  layout?: Layout;
  /** The seed and SOURCE_DATE_EPOCH of the build, fixed by resolve. */
  reproducible?: Reproducibility;
  /** The package sources the bootstrap searches, as a failure names them: `URL [SUITE COMPONENT…]`. */
  searched?: string[];
  /** The installed packages, as the packages step read them from the image (for the manifest). */
  installed?: ManifestPackage[];
  boot?: BootFiles;
  /** The kickstart's services no unit stood for before %post: applied, or warned about, after it. */
  pendingServices?: PendingServices;
  images: { root?: string; boot?: string; raw?: string; liveStage?: string };
}

const minutes = 60_000;

const resolve: Step<BuildState> = {
  name: 'resolve',
  timeoutMs: 2 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    const selection = selectPackages(recipe);
    for (const { name, reason } of selection.added) ctx.log(`adding package ${name}: ${reason}`);
    const rpmRepos = recipe.sources.filter((s) => s.kind === 'rpm');
    if (rpmRepos.length > 0) {
      const keys = await repoKeys(ctx, state, rpmRepos);
      const tarball = await rpmRootTarball(ctx, state, keys, selection.packages);
      state.bootstrap = { kind: 'rpm', keys, recipe: { ...recipe, packages: selection.packages }, tarball };
      state.searched = rpmRepos.map((repo) => repo.url);
      fixIdentities(
        ctx,
        state,
        seedOf(canonicalJson({ rpmRoot: tarball ?? null, ...seedInputs(recipe) })),
        undefined,
      );
      return;
    }
    const { suite, repos, fromHost } = await aptSourcesOf(recipe);
    if (fromHost) ctx.log(`no repo lines; using the host's apt sources for ${suite}`);
    state.searched = repos.map((repo) => [repo.url, repo.suite, ...repo.components].join(' '));
    const keys = await repoKeys(ctx, state, repos);
    // apt's copy: is its file: that copies the .debs into the archive folder, where the sandbox finds them.
    const signed = repos.map((repo) => ({
      ...repo,
      url: repo.url.replace(/^file:/, 'copy:'),
      ...(keys.has(repo) ? { signedBy: keys.get(repo)! } : {}),
    }));
    const sourcesFile = join(state.places.inputs, 'sources.list');
    await writeFile(sourcesFile, renderSourcesList(signed));
    const sources = [];
    const dates: number[] = [];
    for (const repo of repos) {
      const release = await releaseDigest(repo, ctx.signal);
      sources.push({ repo, releaseSha256: release.sha256 });
      if (release.date) dates.push(release.date);
    }
    const debianArch = archInfo[recipe.arch].debian;
    const key = baseRootKey({
      sources,
      suite,
      debianArch,
      packages: selection.packages,
      excludedPackages: recipe.excludedPackages,
      bootable: needsBoot(recipe),
      builderVersion: await builderVersion(),
    });
    let excludes: string | undefined;
    if (recipe.excludedPackages.length > 0) {
      excludes = join(state.places.inputs, 'imger-excludes');
      await writeFile(excludes, excludesPreferences(recipe.excludedPackages));
    }
    const paths = cachePaths(state.cacheDir);
    state.bootstrap = {
      kind: 'apt',
      input: {
        debianArch,
        suite,
        sourcesFile,
        packages: selection.packages,
        ...(excludes ? { excludesPreferences: excludes } : {}),
        bootable: needsBoot(recipe),
        repos,
        hostSourcesOnly: fromHost || onlyHostSources(repos, await readHostSources()),
        debCache: paths.debs,
        initramfsCache: paths.initramfs,
        listsCache: paths.aptLists,
      },
      tarball: join(paths.roots, `${key}.tar.zst`),
    };
    ctx.log(`base root key ${key}`);
    // Until the build key exists, the seed stands for the same inputs: the base root's key (sources as
    // resolved, packages, builder) and the rest of the recipe.
    const sourceDate = dates.length > 0 ? Math.max(...dates) : undefined;
    fixIdentities(ctx, state, seedOf(canonicalJson({ baseRoot: key, ...seedInputs(recipe) })), sourceDate);
    state.bootstrap.input.sourceDateEpoch = state.reproducible!.sourceDateEpoch;
  },
};

/** What of a recipe decides the image: all but where the files go. */
function seedInputs(recipe: ImageRecipe): { recipe: Omit<ImageRecipe, 'outputDir'> } {
  const { outputDir: _where, ...decides } = recipe;
  return { recipe: decides };
}

/**
 * The build's seed and time, and the identities derived from them (the layout's UUIDs). Sources with no
 * Date (rpm repositories, a Release without one) leave the time at now: such images are not reproducible.
 */
function fixIdentities(ctx: StepContext, state: BuildState, seed: string, sourceDate: number | undefined) {
  const sourceDateEpoch = sourceDate ?? Math.floor(Date.now() / 1000);
  state.reproducible = { seed, sourceDateEpoch };
  ctx.log(
    `SOURCE_DATE_EPOCH ${sourceDateEpoch} (${new Date(sourceDateEpoch * 1000).toISOString()}${sourceDate ? ", the sources' newest Release" : ', now: the sources give no date'})`,
  );
  if (hasLayout(state.recipe.type)) state.layout = planLayout(state.recipe.partitions, seed);
}

/**
 * Where the cache keeps this rpm root: keyed by the repositories (options, repomd.xml, key) and the selection.
 * undefined when a repository's state cannot be known (a mirror list): that root is made every time.
 */
async function rpmRootTarball(
  ctx: StepContext,
  state: BuildState,
  keys: RepoKeys,
  packages: string[],
): Promise<string | undefined> {
  const { recipe } = state;
  const sources = [];
  for (const repo of recipe.sources) {
    if (repo.kind !== 'rpm') continue;
    if (repo.mirrorlist !== undefined) {
      ctx.log(`repository ${repo.name} is a mirror list: the root is not taken from the cache or stored`);
      return undefined;
    }
    const repomdSha256 = await repomdDigest(repo, ctx.signal);
    const key = keys.get(repo);
    // Whether the image keeps the repository (--install) is configure's, not the root's.
    const { install: _kept, ...rootRepo } = repo;
    sources.push({
      repo: rootRepo,
      repomdSha256,
      ...(key ? { keySha256: (await digestFile(key)).sha256 } : {}),
    });
  }
  const key = baseRootKey({
    kind: 'rpm',
    sources,
    arch: recipe.arch,
    packages,
    excludedPackages: recipe.excludedPackages,
    excludeDocs: recipe.excludeDocs === true,
    ignoreMissing: recipe.ignoreMissing === true,
    noCore: recipe.noCore === true,
    excludeWeakDeps: recipe.excludeWeakDeps === true,
    installLangs: recipe.installLangs ?? null,
    multilib: recipe.multilib === true,
    bootable: needsBoot(recipe),
    live: imageTypeInfo[recipe.type].live,
    builderVersion: await builderVersion(),
  });
  ctx.log(`base root key ${key}`);
  return join(cachePaths(state.cacheDir).roots, `${key}.tar.zst`);
}

/** The name a repository's key file gets: the repository's, where it has a safe one. */
function repoKeyName(repo: PackageSource, index: number): string {
  return repo.name && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(repo.name) ? repo.name : `repo-${index + 1}`;
}

/** The signing keys the kickstart gave, written into the sandbox's inputs, by repoKeyName. */
async function repoKeys(
  ctx: StepContext,
  state: BuildState,
  repos: readonly PackageSource[],
): Promise<Map<PackageSource, string>> {
  const keys = new Map<PackageSource, string>();
  const dir = join(state.places.inputs, 'keys');
  for (const [index, repo] of repos.entries()) {
    if (!repo.gpgKey) continue;
    const name = repoKeyName(repo, index);
    await mkdir(dir, { recursive: true });
    try {
      keys.set(repo, await materializeKey(repo.gpgKey, state.gpgKeyDir, dir, name, ctx.signal));
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw new RepositoryUnreachable(`the signing key of repository ${name}: ${(error as Error).message}`);
    }
    ctx.log(`repository ${name}: packages are verified with the key from ${repo.gpgKey.split(',')[0]}`);
  }
  return keys;
}

const bootstrap: Step<BuildState> = {
  name: 'bootstrap',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    await runScripts(ctx, 'pre', state.recipe, { sandbox: state.places, rootReady: false });
    const plan = state.bootstrap!;
    try {
      if (plan.kind === 'rpm') {
        if (plan.tarball && (await unpackCachedRoot(ctx, state.places, plan.tarball))) return;
        await fetchRpmClosure(ctx, plan.recipe, state.places, plan.keys, state.workDir);
        await installRpmRoot(ctx, plan.recipe, state.places);
        if (needsBoot(state.recipe)) {
          await provideRpmInitramfs(ctx, state.places, imageTypeInfo[state.recipe.type].live === true);
        }
        if (plan.tarball) {
          await storeTarball(ctx, state.places, plan.tarball);
          await state.onBaseRootStored?.(plan.tarball);
        }
        return;
      }
      const qemuUser = archInfo[state.recipe.arch].qemuUser;
      if (qemuUser) await enableForeignArch(ctx, qemuUser);
      if (
        (await bootstrapRoot(ctx, plan.input, state.places, plan.tarball, state.workDir)) === 'bootstrapped'
      ) {
        await state.onBaseRootStored?.(plan.tarball);
      }
    } catch (error) {
      // A missing package is the user's to fix: they need to know where it was looked for.
      const failure = classifyFailure(error, 'bootstrap', ctx.signal.aborted ? ctx.signal : undefined);
      if (failure.kind !== 'package-not-found' || !state.searched) throw failure;
      throw new BuildFailure(failure.kind, failure.step, failure.message, {
        ...failure.details,
        sources: state.searched,
      });
    }
  },
};

const packages: Step<BuildState> = {
  name: 'packages',
  timeoutMs: 5 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    const list = join(state.stageDir, `${recipe.name}.packages`);
    if (state.bootstrap?.kind === 'apt') {
      state.installed = await writePackageList(ctx, state.places, list);
      ctx.log(`${state.installed.length} packages installed`);
    } else {
      state.installed = await writeRpmPackageList(ctx, state.places, list);
    }
    state.artifacts.push({ file: `${recipe.name}.packages`, main: false });
    if (needsBoot(recipe)) {
      const version = (await kernelVersions(ctx, state.places)).at(-1);
      if (!version) throw new BuildFailure('internal', 'packages', 'a bootable image has no kernel in /boot');
      const initrd = await findInitrd(ctx, state.places, version);
      if (!initrd) {
        throw new BuildFailure('internal', 'packages', `kernel ${version} has no initramfs in /boot`);
      }
      state.boot = { version, initrd };
      ctx.log(`kernel ${version}, initramfs /boot/${initrd}`);
    }
  },
};

const configure: Step<BuildState> = {
  name: 'configure',
  timeoutMs: 10 * minutes,
  async run(ctx, state) {
    // Settings are applied by the image's own programs; a root of packages with no shell (a data tree) has none.
    if (state.bootstrap?.kind === 'rpm' && !(await hasShell(state.places.root))) {
      ctx.log('configure: the image has no /bin/sh; its system settings are not applied');
      return;
    }
    const image = sandboxedImage(ctx, state.places, state.reproducible);
    state.pendingServices = await configureRoot(
      ctx,
      image,
      state.recipe,
      state.layout,
      state.recipe.type === 'loop',
      state.bootstrap?.kind === 'rpm' ? 'rpm' : 'debian',
      state.reproducible?.seed,
    );
    if (state.bootstrap?.kind === 'rpm') {
      const repos = state.recipe.sources.filter((s): s is RpmRepo => s.kind === 'rpm');
      const files = await installedRepoFiles(repos, state.bootstrap.keys, ctx.log);
      if (files.length > 0) await image.write(files);
    }
  },
};

/** Whether the image's /bin/sh leads, inside the image, to a regular file. */
async function hasShell(root: string): Promise<boolean> {
  const shell = await resolveInImage(root, '/bin/sh');
  return shell !== undefined && (await exists(join(root, shell)));
}

const scripts: Step<BuildState> = {
  name: 'scripts',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    // A %post may change what the initramfs is made from (a hook, a module option, a package): it is made again.
    const watchInitramfs =
      state.bootstrap?.kind === 'apt' &&
      needsBoot(state.recipe) &&
      state.recipe.scripts.some((script) => script.kind === 'post');
    const started = Date.now();
    await runScripts(ctx, 'post', state.recipe, { sandbox: state.places, rootReady: true });
    if (watchInitramfs) {
      await regenerateIfChanged(ctx, state.places, started, state.reproducible?.sourceDateEpoch);
    }
    const pending = state.pendingServices;
    if (pending && pending.enabled.length + pending.disabled.length > 0) {
      await servicesMadeByScripts(
        ctx,
        sandboxedImage(ctx, state.places, state.reproducible),
        state.recipe,
        pending,
      );
    }
    await takeScriptFiles(ctx, state);
  },
};

/** What --nochroot and %pack scripts left in IMG_OUT_DIR becomes part of the result (out-folder.ts). */
async function takeScriptFiles(ctx: StepContext, state: BuildState, shown: readonly string[] = []) {
  // The empty files bubblewrap made to show the build's artifacts go first; they are not the scripts'.
  for (const name of shown) await unlink(join(state.places.out, name)).catch(() => {});
  const { name } = state.recipe;
  // The manifest is written after %post: a script's file of that name would pass for it.
  const known = new Set([
    ...state.artifacts.map((a) => a.file),
    `${name}.log`,
    `${name}${MANIFEST_SUFFIX}`,
    'SHA256SUMS',
  ]);
  const taken = await takeRegularFiles(state.places.out, state.stageDir, known, ctx.log, ctx.signal);
  state.artifacts.push(...taken.map((file) => ({ file, main: false })));
  // Emptied, so a later script starts from a clean IMG_OUT_DIR and nothing is taken twice.
  for (const name of await readdir(state.places.out)) {
    await rm(join(state.places.out, name), { recursive: true, force: true });
  }
}

/** An image the sandbox made, moved (or, across filesystems, copied sparsely) to where the host wants it. */
async function takeImage(ctx: StepContext, made: string, to: string): Promise<void> {
  await madeInSandbox(made);
  await ctx.run('cp', ['--sparse=always', '--no-dereference', made, to]);
  await rm(made, { force: true });
}

const filesystem: Step<BuildState> = {
  name: 'filesystem',
  timeoutMs: 20 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    await normaliseTree(ctx, state.places, state.reproducible!);
    const manifest = `${recipe.name}${MANIFEST_SUFFIX}`;
    state.artifacts.push({ file: manifest, main: false });
    // From here on the tree is only read: the manifest (this process) and the image (its tools) read it at once,
    // each on a core of its own. Both end before the step does, whichever fails.
    const started = performance.now();
    const listed = writeManifest(
      state.places,
      state.installed ?? [],
      join(state.stageDir, manifest),
      ctx.signal,
    ).then((files) =>
      ctx.log(`manifest: ${files} files in ${((performance.now() - started) / 1000).toFixed(1)} s`),
    );
    await bothSettled(listed, makeImageFromTree(ctx, state));
  },
};

/** Waits for both, then throws the first failure: nothing of the step runs on after it. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

/** The filesystem step's image from the final tree: the fs tarball, the live medium's stage, or the filesystems. */
async function makeImageFromTree(ctx: StepContext, state: BuildState): Promise<void> {
  const { recipe } = state;
  const repro = state.reproducible!;
  const main = mainArtifactName(recipe.type, recipe.name, recipe.packTo);
  if (recipe.type === 'fs') {
    await packImageRoot(ctx, state.places, join(state.stageDir, main), recipe.packTo, repro);
    state.artifacts.push({ file: main, main: true });
    return;
  }
  if (imageTypeInfo[recipe.type].live) {
    state.images.liveStage = await stageLiveMedia(ctx, liveInput(state));
    return;
  }
  const layout = state.layout!;
  // With a /boot partition, the root filesystem sees /boot empty and /boot gets a filesystem of its own.
  const rootTree = { places: state.places, dir: '/', ...(layout.boot ? { hide: ['/boot'] } : {}) };
  const rootImage = await makeTreeFilesystem(
    ctx,
    layout.root,
    rootTree,
    'root.img',
    await sizeForTree(ctx, rootTree, layout.root),
    repro,
  );
  if (layout.boot) {
    const bootTree = { places: state.places, dir: '/boot' };
    state.images.boot = await madeInSandbox(
      await makeTreeFilesystem(
        ctx,
        layout.boot,
        bootTree,
        'boot.img',
        await sizeForTree(ctx, bootTree, layout.boot),
        repro,
      ),
    );
  }
  if (recipe.type === 'loop') {
    await takeImage(ctx, rootImage, join(state.stageDir, main));
    state.artifacts.push({ file: main, main: true });
    return;
  }
  state.images.root = await madeInSandbox(rootImage);
}

function liveInput(state: BuildState) {
  const { recipe } = state;
  return {
    places: state.places,
    boot: state.boot!,
    liveBoot: state.bootstrap?.kind === 'rpm' ? ('dracut' as const) : ('live-boot' as const),
    append: recipe.bootloader.append,
    timeoutS: recipe.bootloader.timeoutS,
    workDir: state.workDir,
  };
}

const disk: Step<BuildState> = {
  name: 'disk',
  timeoutMs: 10 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    if (imageTypeInfo[recipe.type].live) {
      const iso = mainArtifactName(recipe.type, recipe.name);
      await makeHybridIso(ctx, liveInput(state), state.images.liveStage!, join(state.stageDir, iso));
      state.artifacts.push({ file: iso, main: true });
      return;
    }
    const cannotBoot = bootableArchProblem(recipe.type, recipe.arch);
    if (cannotBoot) throw new BuildFailure('kickstart-error', 'disk', cannotBoot);
    const rawName = mainArtifactName('raw', recipe.name);
    const converted = imageTypeInfo[recipe.type].convertTo !== undefined;
    state.images.raw = converted ? join(state.workDir, rawName) : join(state.stageDir, rawName);
    await assembleRawDisk(
      ctx,
      {
        layout: state.layout!,
        images: { root: state.images.root!, ...(state.images.boot ? { boot: state.images.boot } : {}) },
        boot: state.boot!,
        append: recipe.bootloader.append,
        timeoutS: recipe.bootloader.timeoutS,
        workDir: state.workDir,
      },
      state.images.raw,
    );
    if (converted) return;
    await writeFile(
      join(state.stageDir, `${recipe.name}.xml`),
      virtImageXml(recipe.name, recipe.arch, rawName),
    );
    state.artifacts.push({ file: rawName, main: true }, { file: `${recipe.name}.xml`, main: false });
  },
};

const convert: Step<BuildState> = {
  name: 'convert',
  timeoutMs: 10 * minutes,
  async run(ctx, state) {
    const format = imageTypeInfo[state.recipe.type].convertTo!;
    const file = mainArtifactName(state.recipe.type, state.recipe.name);
    const output = join(state.stageDir, file);
    const options =
      format === 'vmdk' && state.recipe.vmdkStreamOptimized ? ['-o', 'subformat=streamOptimized'] : [];
    await ctx.run('qemu-img', ['convert', '-f', 'raw', '-O', format, ...options, state.images.raw!, output]);
    // The conversion is checked against its source, so a damaged image never leaves the builder.
    await ctx.run('qemu-img', ['check', '-q', '-f', format, output]);
    await ctx.run('qemu-img', ['compare', '-f', 'raw', '-F', format, state.images.raw!, output]);
    state.artifacts.push({ file, main: true });
  },
};

const checksum: Step<BuildState> = {
  name: 'checksum',
  timeoutMs: 10 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    const attached = await copyAttachments(ctx, state.places, recipe.attachments, state.stageDir);
    state.artifacts.push(...attached.map((file) => ({ file, main: false })));
    const shown = await shownArtifacts(ctx, state);
    await runScripts(ctx, 'pack', recipe, {
      sandbox: state.places,
      rootReady: true,
      ...(shown.length > 0 ? { artifacts: { dir: state.stageDir, names: shown } } : {}),
    });
    await takeScriptFiles(ctx, state, shown);
    const digests = await writeChecksums(
      ctx,
      state.stageDir,
      state.artifacts.map((a) => a.file),
    );
    state.artifacts.push({ file: 'SHA256SUMS', main: false });
    for (const artifact of state.artifacts) {
      const digest = digests.get(artifact.file);
      if (digest) artifact.digest = digest;
    }
  },
};

/**
 * The artifacts a %pack script sees in IMG_OUT_DIR, read-only: only when the sandbox can reach the staging
 * folder (bubblewrap binds them by path, as the sandbox's unprivileged uid).
 */
async function shownArtifacts(ctx: StepContext, state: BuildState): Promise<string[]> {
  if (!state.recipe.scripts.some((script) => script.kind === 'pack')) return [];
  const names = state.artifacts.map((a) => a.file);
  if (await unreachableBy(join(state.stageDir, 'x'), state.places.idBase)) {
    ctx.log(
      '%pack: the output folder is not reachable from the sandbox; IMG_OUT_DIR shows none of the images',
    );
    return [];
  }
  return names;
}

const allSteps: Record<StepName, Step<BuildState>> = {
  resolve,
  bootstrap,
  packages,
  configure,
  scripts,
  filesystem,
  disk,
  convert,
  checksum,
};

/** The steps an image type runs, in order. */
export function stepsFor(recipe: ImageRecipe): Step<BuildState>[] {
  const info = imageTypeInfo[recipe.type];
  const names: StepName[] = ['resolve', 'bootstrap', 'packages', 'configure', 'scripts', 'filesystem'];
  if (info.bootable) names.push('disk');
  if (info.convertTo) names.push('convert');
  names.push('checksum');
  return names.map((name) => allSteps[name]);
}
