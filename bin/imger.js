#!/usr/bin/env node
// Starts the CLI from its compiled JavaScript in dist/ (made by `npm start`, `npm test` or scripts/build-js.sh)
// when that is at least as new as every source file, else from the TypeScript sources through tsx: a checkout
// always runs what its sources say, and fast when it has been built. A machine node older than the supported
// releases hands over to the one scripts/ensure-runtime.sh keeps in .runtime/, when there is one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);

if (major < 22) {
  const version = readFileSync(join(root, '.node-version'), 'utf8').trim();
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const runtime = join(
    root,
    '.runtime',
    `node-v${version}`,
    'node_modules',
    `node-linux-${arch}`,
    'bin',
    'node',
  );
  if (existsSync(runtime)) {
    const child = spawnSync(runtime, process.argv.slice(1), { stdio: 'inherit' });
    process.exit(child.status ?? 1);
  }
}

/** The newest modification time of the files below dir, the web pages' sources aside. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(root, 'src', 'web')) newest = Math.max(newest, newestSource(path));
    } else {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

const stamp = join(root, 'dist', '.js-built');
if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(join(root, 'src'))) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
