/** A file's path (for messages and relative lookups) together with its already-read text. */
export interface SourceFile {
  path: string;
  text: string;
}

/**
 * One problem found while turning kickstarter YAML into kickstarts. `file` and `line` point at the place to fix
 * (the YAML file and line that declared the faulty value), `key` names the configuration key involved and
 * `image` the configuration being rendered, when there is one.
 */
export interface KickstarterError {
  file: string;
  message: string;
  key?: string;
  line?: number;
  image?: string;
}

/** One generated kickstart: `path` is relative to the output folder, with `/` separators. */
export interface KickstarterFile {
  path: string;
  name: string;
  text: string;
}

/**
 * Every configuration that could be rendered is in `files`, even when others failed: one broken image must not
 * block the rest. `inactive` names the configurations skipped because of `Active: false`.
 */
export interface KickstarterResult {
  files: KickstarterFile[];
  errors: KickstarterError[];
  inactive: string[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: KickstarterError[] };
