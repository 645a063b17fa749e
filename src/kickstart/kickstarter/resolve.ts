import type { ConfigurationsFile, ImageEntry } from './configurations.ts';
import { mergeSettings } from './merge.ts';
import {
  errorInBlock,
  type Layer,
  type ListKey,
  readLayer,
  type Settings,
  type TextKey,
} from './settings.ts';
import type { KickstarterError } from './types.ts';

/** An image with its Default, platform and own blocks, in that order, and their merged settings. */
export interface ResolvedImage {
  layers: readonly Layer[];
  settings: Settings;
  /** How messages name the image: its FileName, else its Name, else where it was written. */
  label: string;
  errors: KickstarterError[];
}

/** Reads the shared blocks once, however many images use them. */
export function imageResolver(configurations: ConfigurationsFile): (entry: ImageEntry) => ResolvedImage {
  const { document } = configurations;
  const defaults = readLayer(configurations.defaults, { document, path: ['Default'], label: 'Default' });
  const platforms = new Map<string, ReturnType<typeof readLayer>>();
  const platformBlock = (name: string) => {
    const known = platforms.get(name);
    if (known !== undefined) return known;
    const read = readLayer(configurations.platforms.get(name), {
      document,
      path: [name],
      label: `platform ${name}`,
    });
    platforms.set(name, read);
    return read;
  };

  return (entry) => {
    const own = readLayer(entry.value, {
      document: entry.document,
      path: entry.path,
      label: entryLabel(entry),
    });
    const platformName = own.layer.settings.Platform ?? defaults.layer.settings.Platform;
    const platform =
      platformName !== undefined && configurations.platforms.has(platformName)
        ? platformBlock(platformName)
        : undefined;
    const layers = [defaults.layer, ...(platform === undefined ? [] : [platform.layer]), own.layer];
    const settings = mergeSettings(layers.map((layer) => layer.settings));
    const label = settings.FileName ?? settings.Name ?? entryLabel(entry);
    const image: ResolvedImage = {
      layers,
      settings,
      label,
      // Errors of the shared blocks carry no image: they are the same for every image using the block.
      errors: [
        ...defaults.errors,
        ...(platform?.errors ?? []),
        ...own.errors.map((error) => ({ ...error, image: label })),
      ],
    };
    if (platformName !== undefined && platform === undefined) {
      image.errors.push(imageError(image, 'Platform', `no top-level block named ${platformName}`));
    }
    return image;
  };
}

/** An error about `key` of an image, pointing at the block that set the value (or listed `item`). */
export function imageError(
  image: ResolvedImage,
  key: TextKey | ListKey,
  message: string,
  item?: string,
): KickstarterError {
  return { ...errorInBlock(blockDefining(image, key, item).origin, key, message), image: image.label };
}

/** The block an error about `key` belongs to: the first to list `item`, or the last to set the key. */
function blockDefining(image: ResolvedImage, key: TextKey | ListKey, item?: string): Layer {
  const defining = image.layers.filter((layer) => {
    const value = layer.settings[key];
    return item === undefined ? value !== undefined : Array.isArray(value) && value.includes(item);
  });
  return (item === undefined ? defining.at(-1) : defining[0]) ?? image.layers.at(-1)!;
}

function entryLabel(entry: ImageEntry): string {
  const index = entry.path.at(-1);
  return index === undefined ? entry.document.file : `Configurations item ${Number(index) + 1}`;
}
