/** The kickstart library: read, check and write pykickstart syntax with mic's and IMG's extensions. */
export type { Check, CommandSpec, ParsedCommand } from './command-spec.ts';
export { COMMANDS, type CommandName, findCommand } from './commands/index.ts';
export { type Diagnostic, formatDiagnostic, type Location } from './diagnostics.ts';
export { fetchLimited } from './fetch-limited.ts';
export { commandsInWritingOrder, formatKickstart } from './format.ts';
export { type IncludeReader, type IncludeRequest, type IncludeResult, isUrl } from './include.ts';
export { type LoadOptions, loadKickstartFile, parseWithUrls } from './load.ts';
export { type KickstartMeaning, kickstartMeaning } from './meaning.ts';
export * from './model.ts';
export { applyOverlay, type KickstartOverlay, type OverlayResult } from './overlay.ts';
export { DEFAULT_MAX_INCLUDE_DEPTH, type ParseOptions, type ParseResult, parseKickstart } from './parser.ts';
export { commandOf, commandsOf, type KickstartCommand } from './query.ts';
export { isArmoredKey, keyDataUrl, MAX_KEY_BYTES } from './signing-key.ts';
export { DEFAULT_MAX_BYTES } from './source.ts';
export {
  parseTokenMap,
  substituteTokens,
  type TokenMap,
  tokensIn,
  withDefaultTokens,
} from './tokens.ts';
