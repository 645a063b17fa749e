/**
 * Kickstart parse throughput, in MB/s of kickstart text and as a multiple of the cost of merely reading the same
 * text (splitting it into lines and words), measured in the same run so that the ratio holds on any machine.
 * The goal is at least 20 MB/s on the large kickstart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatKickstart } from '../src/kickstart/format.ts';
import { parseKickstart } from '../src/kickstart/parser.ts';

const GOAL_MB_PER_S = 20;
const REPOSITORY = resolve(import.meta.dirname, '..');

/** A kickstart shaped like a large real one: a command block, 20,000 package lines, a few long scripts. */
function largeKickstart(): string {
  const commands = [
    'lang en_US.UTF-8',
    'keyboard --vckeymap=us --xlayouts=us,fi',
    'timezone Europe/Helsinki --utc',
    'network --bootproto=dhcp --device=eth0 --activate --hostname=builder.example.org',
    'rootpw --iscrypted $6$rounds=4096$salt$hash',
    'user --name=builder --groups=wheel,audio --password=secret --plaintext',
    'bootloader --location=mbr --append="console=ttyS0,115200 quiet" --timeout=1',
    'zerombr',
    'clearpart --all --initlabel',
    'part /boot --size=512 --fstype=ext4 --label=boot',
    'part / --size=8000 --grow --fstype=ext4 --label="root fs"',
    'part swap --size=1024',
    ...Array.from(
      { length: 20 },
      (_, i) => `repo --name=repo${i} --baseurl=http://mirror.example.org/os/${i}/x86_64/`,
    ),
    'services --enabled=sshd,chronyd --disabled=cups',
    'selinux --enforcing',
    'firewall --enabled --service=ssh',
    'reboot',
  ];
  const packages = Array.from({ length: 20000 }, (_, i) => {
    if (i % 500 === 0) return `@group-${i} --optional`;
    if (i % 97 === 0) return `-excluded-package-${i}`;
    if (i % 53 === 0) return `lib${i}-*   # every variant`;
    return `package-name-${i}-devel`;
  });
  const script = Array.from({ length: 300 }, (_, i) => `\techo "step ${i}" >> /root/post.log  # log it`);
  return [
    ...commands,
    '%packages --excludedocs --ignoremissing',
    ...packages,
    '%end',
    '%post --log=/root/ks-post.log',
    ...script,
    '%end',
    '%post --nochroot --interpreter=/bin/bash',
    ...script,
    '%end',
    '',
  ].join('\n');
}

/** The cost of reading the text at all: lines, then words, the way a naive reader would. */
function naiveRead(text: string): number {
  let words = 0;
  for (const line of text.split(/\r?\n/)) words += line.split(/\s+/).length;
  return words;
}

/** Median seconds per run of `fn` over the texts, after a warm-up, over at least `minSeconds` of runs. */
function measure(texts: readonly string[], fn: (text: string) => unknown, minSeconds = 1): number {
  for (const text of texts) fn(text);
  const samples: number[] = [];
  const until = performance.now() + minSeconds * 1000;
  while (samples.length < 5 || performance.now() < until) {
    const start = performance.now();
    for (const text of texts) fn(text);
    samples.push((performance.now() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function report(label: string, texts: readonly string[], fn: (text: string) => unknown): number {
  const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
  const seconds = measure(texts, fn);
  const baseline = measure(texts, naiveRead);
  const mbPerS = bytes / 1e6 / seconds;
  console.log(
    `${label}: ${(bytes / 1024).toFixed(0)} KiB in ${(seconds * 1000).toFixed(2)} ms = ${mbPerS.toFixed(1)} MB/s, ` +
      `${(seconds / baseline).toFixed(1)}x the time of a naive line/word split (${(bytes / 1e6 / baseline).toFixed(0)} MB/s)`,
  );
  return mbPerS;
}

const large = largeKickstart();
const parsedLarge = parseKickstart(large);
if (!parsedLarge.ok)
  throw new Error(`the benchmark kickstart does not parse: ${parsedLarge.errors[0]?.message}`);

const templateDir = join(REPOSITORY, 'templates');
const templates = readdirSync(templateDir)
  .filter((name) => name.endsWith('.ks'))
  .map((name) => readFileSync(join(templateDir, name), 'utf8'));

const largeRate = report('parse, large kickstart (20,000 package lines)', [large], (t) => parseKickstart(t));
if (templates.length > 0) {
  report(`parse, shipped templates (${templates.length} files)`, templates, (t) => parseKickstart(t));
}
report('format, large kickstart', [large], () => formatKickstart(parsedLarge.kickstart));
console.log(
  largeRate >= GOAL_MB_PER_S
    ? `goal met: ${largeRate.toFixed(1)} MB/s >= ${GOAL_MB_PER_S} MB/s`
    : `GOAL MISSED: ${largeRate.toFixed(1)} MB/s < ${GOAL_MB_PER_S} MB/s`,
);
