// What a package, a repository and an apt suite may be called when the native builder puts them on a command
// line (the host's apt-get, dnf in the sandbox): one rule each, used by the plan for kickstart lines and by the
// service for a job's extra repositories and packages.

/** A package as rpm and Debian name it, optionally with a glob or a version: never an apt pattern or a path. */
export const PACKAGE_NAME = /^-?[A-Za-z0-9_+][A-Za-z0-9_+.~:=*?-]*$/;
/** `@group`, `@^environment`, with their two options. */
export const GROUP_ENTRY = /^-?@\^?[A-Za-z0-9_][A-Za-z0-9 _.+-]*?( --(optional|nodefaults))?$/;
/** An apt suite or component: a plain word, so it cannot end the pattern apt resolves it in. */
export const APT_WORD = /^[A-Za-z0-9][A-Za-z0-9._/+~-]*$/;
/** A repository's name as dnf takes it in `--repofrompath=NAME,URL` and `--setopt=NAME.gpgcheck`. */
export const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
