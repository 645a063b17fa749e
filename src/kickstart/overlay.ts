import { quoteToken } from './lexer.ts';
import { isArmoredKey, keyDataUrl, MAX_KEY_BYTES } from './signing-key.ts';

/**
 * A job's extra repositories and package overlay, written as kickstart text appended to the kickstart, so that
 * the kickstart as built says everything the image got, and %packages' later-line-wins rule does the merging.
 */
export interface KickstartOverlay {
  /**
   * `URL` (an rpm repository, or one the builder recognises) or `URL SUITE [COMPONENT…]` (an apt archive),
   * optionally followed, on the next lines, by the repository's ASCII-armored public signing key.
   */
  repos?: readonly string[];
  /** Package lines as in %packages: `name`, `-name` to exclude, `@group`. */
  packages?: readonly string[];
}

export type OverlayResult = { ok: true; text: string } | { ok: false; error: string };

export function applyOverlay(kickstart: string, overlay: KickstartOverlay): OverlayResult {
  const lines: string[] = [];
  for (const [index, entry] of (overlay.repos ?? []).entries()) {
    const [spec = '', ...keyLines] = entry.trim().split(/\r?\n/);
    const [url, suite, ...components] = spec.trim().split(/\s+/);
    if (!url || /\r/.test(spec)) return { ok: false, error: `extra repo ${index + 1} is empty` };
    const key = keyLines.join('\n');
    if (key !== '' && !isArmoredKey(key)) {
      return {
        ok: false,
        error: `extra repo ${index + 1}: the lines after the repository are not one ASCII-armored public key (-----BEGIN PGP PUBLIC KEY BLOCK----- … -----END PGP PUBLIC KEY BLOCK-----, at most ${MAX_KEY_BYTES} bytes)`,
      };
    }
    const apt = suite ? ` --suite=${quoteToken(suite)}` : '';
    const parts = components.length > 0 ? ` --components=${quoteToken(components.join(','))}` : '';
    const gpgKey = key === '' ? '' : ` --gpgkey=${quoteToken(keyDataUrl(key))}`;
    lines.push(`repo --name=extra-${index + 1} --baseurl=${quoteToken(url)}${apt}${parts}${gpgKey}`);
  }
  const packages = (overlay.packages ?? []).map((p) => p.trim()).filter((p) => p !== '');
  for (const entry of packages) {
    // Each entry becomes one %packages line: a line break or a leading % would smuggle in kickstart syntax.
    if (/[\r\n#]/.test(entry) || entry.startsWith('%')) {
      return { ok: false, error: `package "${entry}" is not one %packages line` };
    }
  }
  if (packages.length > 0) lines.push('%packages', ...packages, '%end');
  if (lines.length === 0) return { ok: true, text: kickstart };
  const separator = kickstart === '' || kickstart.endsWith('\n') ? '' : '\n';
  return { ok: true, text: `${kickstart}${separator}${lines.join('\n')}\n` };
}
