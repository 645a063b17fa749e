/**
 * mic's `--tokenmap`: `@TOKEN@` in the kickstart text is replaced before parsing. Unknown tokens stay as they are,
 * because a kickstart may legitimately carry `@` pairs (e-mail addresses, URLs) that are not tokens.
 */
export type TokenMap = ReadonlyMap<string, string>;

export type TokenMapResult = { ok: true; tokens: Map<string, string> } | { ok: false; error: string };

/** Parses `TOKEN:VALUE,TOKEN:VALUE`; a value may contain `:` (it is split on the first one only). */
export function parseTokenMap(spec: string): TokenMapResult {
  const tokens = new Map<string, string>();
  if (spec.trim() === '') return { ok: true, tokens };
  for (const pair of spec.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) return { ok: false, error: `tokenmap entry "${pair}" is not TOKEN:VALUE` };
    const name = pair.slice(0, colon).trim();
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      return { ok: false, error: `tokenmap name "${name}" may hold only letters, digits and _` };
    }
    tokens.set(name, pair.slice(colon + 1));
  }
  return { ok: true, tokens };
}

/** mic's defaults: RELEASE=latest, BUILD_ID=the release, ARCH=the build's architecture. Given values win. */
export function withDefaultTokens(tokens: TokenMap, arch?: string): Map<string, string> {
  const all = new Map(tokens);
  if (!all.has('RELEASE')) all.set('RELEASE', 'latest');
  if (!all.has('BUILD_ID')) all.set('BUILD_ID', all.get('RELEASE')!);
  if (arch !== undefined && !all.has('ARCH')) all.set('ARCH', arch);
  return all;
}

const TOKEN = /@([A-Za-z0-9_]+)@/g;

/** The distinct `@TOKEN@` names of a text, in order of first use. */
export function tokensIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(TOKEN), (match) => match[1] ?? ''))];
}

export function substituteTokens(text: string, tokens: TokenMap): string {
  if (tokens.size === 0 || !text.includes('@')) return text;
  return text.replace(TOKEN, (whole, name: string) => tokens.get(name) ?? whole);
}
