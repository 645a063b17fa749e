// Two jobs' difference as plain text (`imger diff`): a line per package and per file, `+` added, `-` removed,
// `~` changed. Paths and names come from the images, which their authors control: control characters are shown
// as escapes, never sent to a terminal.
import { printable } from './failure-text.ts';
import type { JobDiff } from './manifest.ts';

type DiffFile = JobDiff['files']['added'][number];

function fileText(file: DiffFile): string {
  const mode = file.mode.toString(8).padStart(4, '0');
  const what = [file.kind, mode, `${file.uid}:${file.gid}`];
  if (file.size !== undefined) what.push(`${file.size} bytes`);
  if (file.sha256) what.push(`sha256 ${file.sha256.slice(0, 16)}…`);
  if (file.target !== undefined) what.push(`-> ${file.target}`);
  return `${file.path} (${what.join(', ')})`;
}

export function diffLines(diff: JobDiff): string[] {
  const { packages, files } = diff;
  const lines = [
    `from job ${diff.from} to job ${diff.to}: packages +${packages.added.length} -${packages.removed.length} ~${packages.changed.length}, files +${files.added.length} -${files.removed.length} ~${files.changed.length}`,
    ...packages.added.map((p) => `+ package ${p.name} ${p.version} ${p.arch}`),
    ...packages.removed.map((p) => `- package ${p.name} ${p.version} ${p.arch}`),
    ...packages.changed.map((p) => `~ package ${p.name} ${p.from} -> ${p.to} ${p.arch}`),
    ...files.added.map((f) => `+ ${fileText(f)}`),
    ...files.removed.map((f) => `- ${fileText(f)}`),
    ...files.changed.map(
      (f) =>
        `~ ${f.path}: ${f.fields.map((field) => `${field} ${f.from[field] ?? '-'} -> ${f.to[field] ?? '-'}`).join(', ')}`,
    ),
  ];
  return lines.map(printable);
}
