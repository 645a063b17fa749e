import { mergedListKeys, type Settings } from './settings.ts';

/**
 * kickstarter's inheritance: each later block (Default, then platform, then image) overrides single values, while
 * the merged list keys are concatenated in block order with repeats dropped, keeping where each item first appeared.
 */
export function mergeSettings(blocks: readonly Settings[]): Settings {
  const merged: Settings = Object.assign({}, ...blocks);
  for (const key of mergedListKeys) {
    const items = blocks.flatMap((block) => block[key] ?? []);
    if (items.length > 0) merged[key] = [...new Set(items)];
    else delete merged[key];
  }
  return merged;
}
