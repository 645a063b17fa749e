/**
 * mic's `@TOKEN@`s as the submit form offers them. The server fills three itself when the job does not: these
 * are shown as placeholders, the others must be given or stay in the text as they are.
 */
export const SERVER_TOKEN_DEFAULTS: Readonly<Record<string, string>> = {
  ARCH: 'the chosen architecture',
  RELEASE: 'latest',
  BUILD_ID: 'the release',
};

/** `TOKEN:VALUE,…` (the API's tokenmap) from the filled-in fields; empty fields are left to the defaults. */
export function tokenMap(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .filter(([, value]) => value.trim() !== '')
    .map(([name, value]) => `${name}:${value.trim()}`)
    .join(',');
}
