// The native builder's steps and the state they pass along. Each step reads what earlier steps produced and
// adds its own outputs; which steps run depends on the image type.
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostCodename, readHostSources, renderSourcesList, sourcesForSuite } from './apt-sources.ts';
import { archInfo } from './arches.ts';
import { type BootstrapInput, bootstrapRoot, excludesPreferences } from './bootstrap.ts';
import { baseRootKey, builderVersion, cachePaths, releaseDigest } from './cache.ts';
import { configureRoot } from './configure.ts';
import { BuildFailure } from './failures.ts';
import { makeFilesystem, sizeForContent } from './filesystems.ts';
import { enableForeignArch } from './foreign-arch.ts';
import { imageTypeInfo, mainArtifactName } from './image-types.ts';
import { type Layout, planLayout } from './layout.ts';
import { makeHybridIso, stageLiveMedia } from './live-iso.ts';
import { packRoot } from './pack-root.ts';
import { needsBoot, selectPackages } from './packages.ts';
import type { Artifact } from './publish.ts';
import { assembleRawDisk } from './raw-disk.ts';
import type { AptRepo, ImageRecipe } from './recipe.ts';
import { copyAttachments, virtImageXml, writeChecksums, writePackageList } from './records.ts';
import { bootstrapRpmRoot } from './rpm-root.ts';
import type { Step, StepContext } from './runner.ts';
import { runScripts } from './scripts.ts';
import type { StepName } from './steps.ts';

export interface BuildState {
  recipe: ImageRecipe;
  cacheDir: string;
  workDir: string;
  /** Artifacts are written here and moved into the output folder only when the build succeeds. */
  stageDir: string;
  root: string;
  /** Files in stageDir that are part of the result (the log is added by the builder). */
  artifacts: Artifact[];
  bootstrap?: { kind: 'apt'; input: BootstrapInput; tarball: string } | { kind: 'rpm' };
  layout?: Layout;
  kernelVersion?: string;
  images: { root?: string; boot?: string; raw?: string; liveStage?: string };
}

const minutes = 60_000;

async function resolveSources(
  recipe: ImageRecipe,
  ctx: StepContext,
): Promise<{ suite: string; repos: AptRepo[] }> {
  const apt = recipe.sources.filter((s): s is AptRepo => s.kind === 'apt');
  if (apt.length > 0) return { suite: recipe.suite ?? apt[0]!.suite, repos: apt };
  const suite = recipe.suite ?? (await hostCodename());
  const repos = suite ? sourcesForSuite(await readHostSources(), suite) : [];
  if (!suite || repos.length === 0) {
    const why = suite ? `the host has no apt source for ${suite}` : 'the host has no release codename';
    throw new BuildFailure('kickstart-error', 'resolve', `no repo given and ${why}`);
  }
  ctx.log(`no repo lines; using the host's apt sources for ${suite}`);
  return { suite, repos };
}

const resolve: Step<BuildState> = {
  name: 'resolve',
  timeoutMs: 2 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    await mkdir(state.workDir, { recursive: true });
    // A live system's filesystems are live-boot's business: it writes their fstab entries at boot.
    if (recipe.type !== 'fs' && !imageTypeInfo[recipe.type].live) {
      state.layout = planLayout(recipe.partitions);
    }
    const selection = selectPackages(recipe);
    for (const { name, reason } of selection.added) ctx.log(`adding package ${name}: ${reason}`);
    const rpmRepos = recipe.sources.filter((s) => s.kind === 'rpm');
    if (rpmRepos.length > 0) {
      if (needsBoot(recipe)) {
        throw new BuildFailure(
          'kickstart-error',
          'resolve',
          `rpm repositories give fs and loop images only; a ${recipe.type} image needs a bootable Debian root`,
        );
      }
      state.bootstrap = { kind: 'rpm' };
      return;
    }
    const { suite, repos } = await resolveSources(recipe, ctx);
    const sourcesFile = join(state.workDir, 'sources.list');
    await writeFile(sourcesFile, renderSourcesList(repos));
    const sources = [];
    for (const repo of repos) sources.push({ repo, releaseSha256: await releaseDigest(repo, ctx.signal) });
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
      excludes = join(state.workDir, 'imger-excludes');
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
        debCache: paths.debs,
      },
      tarball: join(paths.roots, `${key}.tar.zst`),
    };
    ctx.log(`base root key ${key}`);
  },
};

const bootstrap: Step<BuildState> = {
  name: 'bootstrap',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    await runScripts(ctx, 'pre', state.recipe, { workDir: state.workDir, outputDir: state.stageDir });
    const plan = state.bootstrap!;
    if (plan.kind === 'rpm') {
      await bootstrapRpmRoot(ctx, state.recipe, state.root, state.workDir);
      return;
    }
    const qemuUser = archInfo[state.recipe.arch].qemuUser;
    if (qemuUser) await enableForeignArch(ctx, qemuUser);
    await bootstrapRoot(ctx, plan.input, state.root, plan.tarball);
  },
};

async function findKernel(root: string): Promise<string | undefined> {
  const kernels = (await readdir(join(root, 'boot')).catch(() => [] as string[]))
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return kernels.at(-1);
}

const packages: Step<BuildState> = {
  name: 'packages',
  timeoutMs: 5 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    const list = join(state.stageDir, `${recipe.name}.packages`);
    if (state.bootstrap?.kind === 'apt') {
      const count = await writePackageList(ctx, state.root, list);
      ctx.log(`${count} packages installed`);
    } else {
      const { stdout } = await ctx.run(
        'rpm',
        ['--root', state.root, '--dbpath', '/usr/lib/sysimage/rpm', '-qa'],
        {
          onLine: () => {},
        },
      );
      await writeFile(list, `${stdout.trim().split('\n').sort().join('\n')}\n`);
    }
    state.artifacts.push({ file: `${recipe.name}.packages`, main: false });
    if (needsBoot(recipe)) {
      state.kernelVersion = await findKernel(state.root);
      if (!state.kernelVersion)
        throw new BuildFailure('internal', 'packages', 'a bootable image has no kernel in /boot');
      ctx.log(`kernel ${state.kernelVersion}`);
    }
  },
};

const configure: Step<BuildState> = {
  name: 'configure',
  timeoutMs: 10 * minutes,
  async run(ctx, state) {
    if (state.bootstrap?.kind === 'rpm') {
      ctx.log('configure: rpm roots are left as dnf installed them');
      return;
    }
    await configureRoot(ctx, state.root, state.recipe, state.layout, state.recipe.type === 'loop');
  },
};

const scripts: Step<BuildState> = {
  name: 'scripts',
  timeoutMs: 30 * minutes,
  async run(ctx, state) {
    await runScripts(ctx, 'post', state.recipe, {
      workDir: state.workDir,
      root: state.root,
      outputDir: state.stageDir,
    });
  },
};

/** Moves /boot aside while the root filesystem is made, when /boot is a partition of its own. */
async function withBootSeparated<T>(state: BuildState, make: (bootDir?: string) => Promise<T>): Promise<T> {
  if (!state.layout?.boot) return make();
  const bootDir = join(state.workDir, 'boot-content');
  await rename(join(state.root, 'boot'), bootDir);
  await mkdir(join(state.root, 'boot'));
  try {
    return await make(bootDir);
  } finally {
    await rename(bootDir, join(state.root, 'boot')).catch(() => {});
  }
}

const filesystem: Step<BuildState> = {
  name: 'filesystem',
  timeoutMs: 20 * minutes,
  async run(ctx, state) {
    const { recipe } = state;
    const main = mainArtifactName(recipe.type, recipe.name, recipe.packTo);
    if (recipe.type === 'fs') {
      await packRoot(ctx, state.root, join(state.stageDir, main), recipe.packTo);
      state.artifacts.push({ file: main, main: true });
      return;
    }
    if (imageTypeInfo[recipe.type].live) {
      state.images.liveStage = await stageLiveMedia(ctx, liveInput(state));
      return;
    }
    const layout = state.layout!;
    const rootImage = recipe.type === 'loop' ? join(state.stageDir, main) : join(state.workDir, 'root.img');
    await withBootSeparated(state, async (bootDir) => {
      await makeFilesystem(
        ctx,
        layout.root,
        state.root,
        rootImage,
        await sizeForContent(ctx, state.root, layout.root),
      );
      if (bootDir && layout.boot) {
        state.images.boot = join(state.workDir, 'boot.img');
        await makeFilesystem(
          ctx,
          layout.boot,
          bootDir,
          state.images.boot,
          await sizeForContent(ctx, bootDir, layout.boot),
        );
      }
    });
    state.images.root = rootImage;
    if (recipe.type === 'loop') state.artifacts.push({ file: main, main: true });
  },
};

function liveInput(state: BuildState) {
  const { recipe } = state;
  return {
    root: state.root,
    kernelVersion: state.kernelVersion!,
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
    if (recipe.arch !== 'x86_64' && recipe.arch !== 'i686') {
      throw new BuildFailure(
        'kickstart-error',
        'disk',
        `bootable disks are built for x86 only, not ${recipe.arch}`,
      );
    }
    const rawName = mainArtifactName('raw', recipe.name);
    const converted = imageTypeInfo[recipe.type].convertTo !== undefined;
    state.images.raw = converted ? join(state.workDir, rawName) : join(state.stageDir, rawName);
    await assembleRawDisk(
      ctx,
      {
        layout: state.layout!,
        images: { root: state.images.root!, ...(state.images.boot ? { boot: state.images.boot } : {}) },
        kernelVersion: state.kernelVersion!,
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
    const attached = await copyAttachments(ctx, state.root, recipe.attachments, state.stageDir);
    state.artifacts.push(...attached.map((file) => ({ file, main: false })));
    await runScripts(ctx, 'pack', recipe, {
      workDir: state.workDir,
      root: state.root,
      outputDir: state.stageDir,
    });
    // What %pack and --nochroot scripts wrote into IMG_OUT_DIR is part of the result too.
    const known = new Set([...state.artifacts.map((a) => a.file), `${recipe.name}.log`]);
    for (const file of (await readdir(state.stageDir)).sort()) {
      if (!known.has(file)) state.artifacts.push({ file, main: false });
    }
    await writeChecksums(
      ctx,
      state.stageDir,
      state.artifacts.map((a) => a.file),
    );
    state.artifacts.push({ file: 'SHA256SUMS', main: false });
  },
};

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
