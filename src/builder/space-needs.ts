// What a build needs on disk, known before any work starts, so a build that would run out of space half way
// fails at once, naming the folder and the figures.
import { imageTypeInfo } from './image-types.ts';
import type { ImageRecipe } from './recipe.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * The image root when no partition bounds it (fs and live images, a root that grows): a minimal bootable
 * Debian root is about 1 GiB unpacked (1.4 GiB peak in the work folder for a raw image, root and disk together).
 */
const UNBOUNDED_TREE_BYTES = 2 * GiB;

/** On top of each estimate: filesystem metadata, the log, the package lists, apt's indexes. */
const SPACE_MARGIN = { ratio: 0.1, bytes: 256 * MiB } as const;

/**
 * The image's content at most: the sum of its fixed partitions (the tree must fit into them), or
 * UNBOUNDED_TREE_BYTES for a partition that grows to its content and for types without partitions.
 */
function treeBytes(recipe: ImageRecipe): number {
  const info = imageTypeInfo[recipe.type];
  if (recipe.type === 'fs' || info.live) return UNBOUNDED_TREE_BYTES;
  let bytes = 0;
  for (const part of recipe.partitions) {
    if (part.mountpoint === 'swap' || part.mountpoint === '/boot/efi') continue;
    bytes += part.grow || part.sizeMiB === undefined ? UNBOUNDED_TREE_BYTES : part.sizeMiB * MiB;
  }
  return bytes || UNBOUNDED_TREE_BYTES;
}

interface SpaceEstimate {
  /** The work folder at its peak: the image root, plus its filesystem images, plus the raw disk before conversion. */
  workBytes: number;
  /** The output folder: the image (sparse files counted whole, compressed ones as their content). */
  outputBytes: number;
}

/** What a recipe needs, by image type, from its partitions' sizes, with SPACE_MARGIN. */
export function estimateSpace(recipe: ImageRecipe): SpaceEstimate {
  const info = imageTypeInfo[recipe.type];
  const tree = treeBytes(recipe);
  // The root, the filesystem images made from it (all but fs), the raw disk a conversion reads (qcow2, …).
  const workCopies = 1 + (recipe.type === 'fs' ? 0 : 1) + (info.convertTo ? 1 : 0);
  const withMargin = (bytes: number) => Math.ceil(bytes * (1 + SPACE_MARGIN.ratio) + SPACE_MARGIN.bytes);
  return { workBytes: withMargin(workCopies * tree), outputBytes: withMargin(tree) };
}
