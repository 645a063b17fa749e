import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SLAPD = '/usr/sbin/slapd';

export const SUFFIX = 'dc=example,dc=org';
const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PASSWORD = 'root-secret';

/** A throwaway OpenLDAP server on loopback: Debian's slapd, its own config, data and certificates in a temp dir. */
export interface Slapd {
  /** ldap://127.0.0.1:PORT, which offers StartTLS. */
  url: string;
  /** ldaps://127.0.0.1:PORT. */
  ldapsUrl: string;
  /** The StartTLS port again at 127.0.0.2, an address its certificate does not name (it names 127.0.0.1, localhost). */
  unnamedUrl: string;
  /** The CA that signed the server's certificate, and one that did not. */
  caFile: string;
  otherCaFile: string;
  /** ldapmodify as the directory's root: adds, changes or deletes entries. */
  modify(ldif: string): Promise<void>;
  /** The requests the server has logged so far, `BIND dn="…" method=128` and `SRCH base="…" … filter="…"`. */
  operations(): string[];
  stop(): Promise<void>;
}

/**
 * Starts slapd with the mdb backend and the memberof overlay (groupOfNames members get `memberOf`), lets
 * unauthenticated binds (a DN with an empty password) through as many servers do, and loads `ldif` as root.
 * Anonymous clients may only bind; bound ones read everything but passwords.
 */
export async function startSlapd(ldif: string): Promise<Slapd> {
  if (!existsSync(SLAPD))
    throw new Error(`${SLAPD} is missing: bash scripts/install-system-packages.sh test-packages.txt`);
  const dir = mkdtempSync(join(tmpdir(), 'img-slapd-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await makeCertificates(dir);
    const [port, tlsPort] = [await freePort(), await freePort()];
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
    const log = join(dir, 'slapd.log');
    const output = openSync(log, 'w');
    const urls = [`ldap://127.0.0.1:${port}/`, `ldaps://127.0.0.1:${tlsPort}/`, `ldap://127.0.0.2:${port}/`];
    // -d 256: in the foreground (its PID is ours to stop) with the operations logged, to stderr.
    child = spawn(SLAPD, ['-h', urls.join(' '), '-f', join(dir, 'slapd.conf'), '-d', '256'], {
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    await waitForPort(port, child, log);
    const url = `ldap://127.0.0.1:${port}`;
    const modify = async (changes: string) => {
      const file = join(dir, 'changes.ldif');
      writeFileSync(file, changes);
      await run('ldapmodify', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-f', file]);
    };
    await run('ldapadd', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-f', writeTemp(dir, ldif)]);
    return {
      url,
      ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
      unnamedUrl: `ldap://127.0.0.2:${port}`,
      caFile: join(dir, 'ca.pem'),
      otherCaFile: join(dir, 'other-ca.pem'),
      modify,
      operations: () =>
        readFileSync(log, 'utf8')
          .split('\n')
          .map((line) => / op=\d+ (BIND dn=.* method=\d+|SRCH base=.*)$/.exec(line)?.[1])
          .filter((line) => line !== undefined),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function slapdConf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
allow bind_anon_dn
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key

database mdb
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
maxsize 16777216
overlay memberof
access to attrs=userPassword by anonymous auth by * none
access to dn.subtree="ou=hidden,${SUFFIX}" by * none
access to * by users read by * none
`;
}

/** A CA, a server certificate it signs for 127.0.0.1 and localhost, and a second CA that signed nothing. */
async function makeCertificates(dir: string): Promise<void> {
  // Arguments split on spaces: the paths are the temp dir's, which has none.
  const openssl = (args: string) => run('openssl', args.split(' '));
  const key = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  for (const ca of ['ca', 'other-ca']) {
    await openssl(
      `req -x509 ${key} -days 1 -subj /CN=imger-test-${ca} -addext basicConstraints=critical,CA:TRUE ` +
        `-addext keyUsage=critical,keyCertSign -keyout ${dir}/${ca}.key -out ${dir}/${ca}.pem`,
    );
  }
  await openssl(`req ${key} -subj /CN=127.0.0.1 -keyout ${dir}/server.key -out ${dir}/server.csr`);
  const extensions = writeTemp(dir, 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  await openssl(
    `x509 -req -in ${dir}/server.csr -CA ${dir}/ca.pem -CAkey ${dir}/ca.key -CAcreateserial -days 1 ` +
      `-extfile ${extensions} -out ${dir}/server.pem`,
  );
}

let temps = 0;
function writeTemp(dir: string, text: string): string {
  const file = join(dir, `temp-${temps++}`);
  writeFileSync(file, text);
  return file;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`slapd exited: ${readFileSync(log, 'utf8').slice(-2000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
        .once('connect', () => resolve(true))
        .once('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`slapd did not listen on ${port}: ${readFileSync(log, 'utf8').slice(-2000)}`);
}
