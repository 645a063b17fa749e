export { formatKickstarterError } from './errors.ts';
export { type KickstarterTexts, renderKickstarterText } from './kickstarter.ts';
export { type RenderKickstarterOptions, renderKickstarter } from './read.ts';
export { savedRepoOptions } from './repositories.ts';
export type { Snippets } from './snippets.ts';
export type { KickstarterError, KickstarterFile, KickstarterResult, SourceFile } from './types.ts';
export { type WriteResult, writeKickstarterFiles } from './write.ts';
