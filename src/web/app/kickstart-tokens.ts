/**
 * mic's `@TOKEN@`s as the submit form offers them. The server fills three itself when the job does not: these
 * are shown as placeholders, the others must be given or stay in the text as they are.
 */
export const SERVER_TOKEN_DEFAULTS: Readonly<Record<string, string>> = {
  ARCH: 'the chosen architecture',
  RELEASE: 'latest',
  BUILD_ID: 'the release',
};

/** The distinct `@TOKEN@` names of a kickstart, in order of first use. */
export function tokensIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/@([A-Za-z0-9_]+)@/g), (match) => match[1] ?? ''))];
}

/** `TOKEN:VALUE,…` (the API's tokenmap) from the filled-in fields; empty fields are left to the defaults. */
export function tokenMap(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .filter(([, value]) => value.trim() !== '')
    .map(([name, value]) => `${name}:${value.trim()}`)
    .join(',');
}
