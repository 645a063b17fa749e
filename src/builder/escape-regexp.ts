// Text made part of a pattern (a package or file name from a kickstart or a tool's output) matches only itself.
// RegExp.escape is in Node 24 but not yet in TypeScript's libraries.

/** `text` with every character a RegExp gives a meaning to escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
