import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/**
 * A small history router: the page's state lives in its URL, so the back button, reloads and shared links work.
 * Paths are relative to the `<base href>` the server writes (`/<url_prefix>/`).
 */

const NAVIGATED = 'img:navigated';

/** The page prefix with its trailing slash, e.g. `/img/`. */
export function basePath(): string {
  return new URL(document.baseURI).pathname;
}

/** A path inside the app (`job/01H…`) as a URL path the browser can load (`/img/job/01H…`). */
export function href(to: string): string {
  return basePath() + to.replace(/^\//, '');
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href(to));
  else history.pushState(null, '', href(to));
  window.dispatchEvent(new Event(NAVIGATED));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const currentUrl = () => location.pathname + location.search;

export interface AppLocation {
  /** The path after the prefix, without leading or trailing slashes: `queue/web`. */
  path: string;
  query: URLSearchParams;
}

export function useLocation(): AppLocation {
  const url = new URL(useSyncExternalStore(subscribe, currentUrl), location.origin);
  const base = basePath();
  const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname;
  return { path: path.replace(/^\/+|\/+$/g, ''), query: url.searchParams };
}

/** `queue/web` plus `{text: 'x', before: undefined}` → `queue/web/?text=x`; empty values are left out. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An ordinary link (middle click and "open in new tab" still work) that navigates without a reload. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const plainClick =
      event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    if (event.defaultPrevented || !plainClick) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={href(to)} onClick={follow} {...rest} />;
}
