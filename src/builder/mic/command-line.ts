// The command line the original's worker ran (Commands.runmic): the tool's own way of naming the type and the
// kickstart, then the common options, then every configured extra option, in that order.
import type { MicFlavour } from './find-mic.ts';
import { hasOption } from './mic-options.ts';

export interface MicInvocation {
  flavour: MicFlavour;
  type: string;
  kickstartPath: string;
  arch: string;
  outdir: string;
  /** `TOKEN:VALUE,…`, for mic only: mic2 has no --tokenmap, so its kickstart gets the tokens applied instead. */
  tokenmap?: string;
  release?: string;
  /** For fs: the tarball mic should pack the root into (mic's --pack-to), when the caller asked for one mic makes. */
  packTo?: string;
  extraOptions: readonly string[];
}

export function micArguments(invocation: MicInvocation): string[] {
  const { flavour, type, kickstartPath, extraOptions } = invocation;
  const head =
    flavour === 'mic' ? ['create', type, kickstartPath] : [`--config=${kickstartPath}`, `--format=${type}`];
  const common = [`--arch=${invocation.arch}`, `--outdir=${invocation.outdir}`];
  if (flavour === 'mic' && invocation.tokenmap) common.push(`--tokenmap=${invocation.tokenmap}`);
  if (invocation.release) common.push(`--release=${invocation.release}`);
  // The package list is part of every IMG build; an explicit --record-pkgs among the extras says more and wins.
  if (flavour === 'mic' && !hasOption(extraOptions, '--record-pkgs')) common.push('--record-pkgs=name');
  const packTo =
    invocation.packTo && !hasOption(extraOptions, '--pack-to') && !hasOption(extraOptions, '--taring-to')
      ? [`--pack-to=${invocation.packTo}`]
      : [];
  return [...head, ...common, ...extraOptions, ...packTo];
}
