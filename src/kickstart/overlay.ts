import { quoteToken } from './lexer.ts';

/**
 * A job's extra repositories and package overlay, written as kickstart text appended to the kickstart, so that
 * the kickstart as built says everything the image got, and %packages' later-line-wins rule does the merging.
 */
export interface KickstartOverlay {
  /** `URL` (an rpm repository, or one the builder recognises) or `URL SUITE [COMPONENT…]` (an apt archive). */
  repos?: readonly string[];
  /** Package lines as in %packages: `name`, `-name` to exclude, `@group`. */
  packages?: readonly string[];
}

export type OverlayResult = { ok: true; text: string } | { ok: false; error: string };

export function applyOverlay(kickstart: string, overlay: KickstartOverlay): OverlayResult {
  const lines: string[] = [];
  for (const [index, spec] of (overlay.repos ?? []).entries()) {
    const [url, suite, ...components] = spec.trim().split(/\s+/);
    if (!url || /[\r\n]/.test(spec))
      return { ok: false, error: `extra repo ${index + 1} is empty or spans lines` };
    const apt = suite ? ` --suite=${quoteToken(suite)}` : '';
    const parts = components.length > 0 ? ` --components=${quoteToken(components.join(','))}` : '';
    lines.push(`repo --name=extra-${index + 1} --baseurl=${quoteToken(url)}${apt}${parts}`);
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
