// What a build request means for mic, checked before mic starts: the names mic accepts, the tokens in both
// of mic's spellings, and the kickstart as built.
import {
  commandsOf,
  parseKickstart,
  parseTokenMap,
  substituteTokens,
  withDefaultTokens,
} from '../../kickstart/index.ts';
import { BuildFailure } from '../failures.ts';
import type { ImageBuildRequest } from '../image-builder.ts';
import { imageTypes, micOnlyImageTypes } from '../image-types.ts';
import { safeFileName } from '../paths.ts';

/** mic's -A choices (rpmmisc archPolicies): mic builds rpm distributions, so Debian's arch names mean nothing to it. */
const micArches = [
  'x86_64',
  'i686',
  'i586',
  'i486',
  'ia64',
  'aarch64',
  'armv7tnhl',
  'armv7thl',
  'armv7nhl',
  'armv7hl',
  'armv7l',
  'armv6l',
  'armv5tejl',
  'armv5tel',
  'armv5l',
  'mipsel',
];
const micTypes: readonly string[] = [...imageTypes, ...micOnlyImageTypes];

export interface MicBuildRequest extends ImageBuildRequest {
  /** mic's --release: replaces @BUILD_ID@ and lays the output out as <outdir>/RID/images/NAME/ with a MANIFEST. */
  release?: string;
}

export interface MicPlan {
  type: string;
  arch: string;
  name: string;
  /** The tokens as given, in mic's `TOKEN:VALUE,…` form; mic adds its own defaults. */
  tokenmap?: string;
  /** The kickstart with the tokens and mic's default tokens applied: what the image is built from. */
  asBuilt: string;
  /** The label of the root partition, which names a loop image when it is set. */
  rootLabel?: string;
  release?: string;
  /** For fs: the tarball mic should pack to, when the request asks for a compression mic knows. */
  packTo?: string;
}

function kickstartError(message: string): BuildFailure {
  return new BuildFailure('kickstart-error', 'resolve', message);
}

function tokensOf(request: MicBuildRequest): Map<string, string> {
  if (typeof request.tokenmap !== 'string') return new Map(Object.entries(request.tokenmap ?? {}));
  const parsed = parseTokenMap(request.tokenmap);
  if (!parsed.ok) throw kickstartError(parsed.error);
  return parsed.tokens;
}

function rootLabelOf(kickstart: string): string | undefined {
  // mic reads %include itself; IMG only looks for the root partition's label, so an include is simply not followed.
  const parsed = parseKickstart(kickstart, { readInclude: () => ({ ok: false, error: 'not followed' }) });
  return commandsOf(parsed.kickstart, 'part').find((part) => part.args[0] === '/')?.options.label;
}

/** Checks a request for mic; throws a kickstart-error BuildFailure naming what mic would refuse. */
export function planMicBuild(request: MicBuildRequest): MicPlan {
  const { type, arch, name } = request;
  if (!micTypes.includes(type)) {
    throw kickstartError(`unknown image type ${type}; mic builds ${micTypes.join(', ')}`);
  }
  if (!micArches.includes(arch)) {
    throw kickstartError(`mic cannot build for architecture ${arch}; it accepts ${micArches.join(', ')}`);
  }
  // mic names every output file after the image, and the image becomes a file name of the kickstart.
  if (!safeFileName.test(name))
    throw kickstartError(`image name ${JSON.stringify(name)} is not a safe file name`);
  if (request.release !== undefined && !safeFileName.test(request.release)) {
    throw kickstartError(`release ${JSON.stringify(request.release)} is not a safe folder name`);
  }
  const tokens = tokensOf(request);
  // As mic does: the release is the RELEASE token unless one is given, and BUILD_ID follows RELEASE.
  const withRelease =
    request.release !== undefined && !tokens.has('RELEASE')
      ? new Map([...tokens, ['RELEASE', request.release]])
      : tokens;
  const asBuilt = substituteTokens(request.kickstart, withDefaultTokens(withRelease, arch));
  const rootLabel = rootLabelOf(asBuilt);
  // mic packs with tar's gzip or bzip2 only; a zstd tarball is made by IMG from the root folder mic leaves.
  const packTo =
    type === 'fs' && request.packTo && request.packTo !== 'tar.zst' ? `${name}.${request.packTo}` : undefined;
  return {
    type,
    arch,
    name,
    asBuilt,
    ...(tokens.size > 0
      ? { tokenmap: [...tokens].map(([token, value]) => `${token}:${value}`).join(',') }
      : {}),
    ...(rootLabel ? { rootLabel } : {}),
    ...(request.release !== undefined ? { release: request.release } : {}),
    ...(packTo ? { packTo } : {}),
  };
}
