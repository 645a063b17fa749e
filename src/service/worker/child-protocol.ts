// What a worker and its build child say to each other. The order goes to the child's stdin as one JSON
// document; the child answers on stdout with one JSON message a line. Anything else the child prints (a
// stack trace, a stray write) is kept in the log as it is.
import type { BuildEvent } from '../../builder/events.ts';
import type { FileDigest } from '../../builder/file-digest.ts';

export interface BuildOrder {
  job: {
    id: string;
    name: string;
    type: string;
    arch: string;
    kickstart: string;
    tokenmap: string;
    extraRepos: string[];
    packages: string[];
  };
  /** The job's folder, `<base_dir>/<queue>/<owner>/<id>/`: the images and the log end up here. */
  outputDir: string;
  builder: 'native' | 'mic';
  micOpts: readonly string[];
  /** `[worker] timeout`: the builder's own whole-build deadline; the worker's hard stop comes a little later. */
  deadlineMs: number;
  /** `[worker] gpg_key_dir` and `sandbox_id_base`, for the native builder. */
  gpgKeyDir: string;
  sandboxIdBase: number;
}

export type ChildMessage =
  /** First, so the worker can find every process of the build when it must stop it. */
  | { type: 'started'; pid: number }
  | BuildEvent
  /** `digests`: size and SHA-256 of the files the builder hashed, by name in the job's folder. */
  | { type: 'result'; ok: true; main: string | null; digests?: Record<string, FileDigest> }
  | { type: 'result'; ok: false; error: { class: string; message: string } };

export type ChildResult = Extract<ChildMessage, { type: 'result' }>;

export function encodeMessage(message: ChildMessage): string {
  return `${JSON.stringify(message)}\n`;
}

const messageTypes = new Set(['started', 'log', 'progress', 'step-finished', 'result']);

/** The message a stdout line carries, or null for a line that is plain text. */
export function parseChildLine(line: string): ChildMessage | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return typeof value.type === 'string' && messageTypes.has(value.type) ? (value as ChildMessage) : null;
  } catch {
    return null;
  }
}
