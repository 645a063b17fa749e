// docs/operations.md, run: one web node and two workers over PostgreSQL and RabbitMQ, each started by its unit
// from deploy/ under a systemd of its own (systemd-machine.ts), with the guide's config files, behind the guide's
// nginx over TLS. One worker shares the web node's base_dir, the other uploads its results; the command line
// submits a real build to each and downloads the files, and the unprivileged web node deletes what the root
// worker made; the participant answers a workitem through the proxy; last, the guide's backup is restored onto
// a broker that lost its messages.
// This machine plays every machine: what would be each one's own disk is a folder of its own.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import pg from 'pg';
import { tempDir } from '../service/helpers.ts';
import { validKickstart } from '../service/jobs/fixtures.ts';
import { ciServices } from '../service/worker/cluster.ts';
import { checkout, guideExample, substitute } from './deploy-files.ts';
import { type Machine, startMachine } from './systemd-machine.ts';

const run = promisify(execFile);
const imger = join(checkout, 'bin', 'imger.js');

const skip =
  process.getuid?.() !== 0
    ? 'the workers build as root, and the machine needs mounts'
    : !process.env.IMG_TEST_PG_URL || !process.env.IMG_TEST_AMQP_URL || !process.env.IMG_CI_SERVICES_DIR
      ? 'needs the services of scripts/ci-services.sh, whose rabbitmqctl sets up a vhost as the guide does'
      : false;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs / 1000} s: ${what}`);
    await sleep(250);
  }
}

/** rabbitmqctl on the test run's broker, for the guide's commands as they are written. */
function rabbitmqctl(script: string): Promise<unknown> {
  const define = `rabbitmqctl() { bash ${ciServices} rabbitmqctl "$IMG_CI_SERVICES_DIR" "$@"; }`;
  return run('bash', ['-euc', `${define}\n${script}`]);
}

test('the guide: a web node and two kinds of worker build, upload and serve behind nginx; backup and restore', {
  skip,
}, async (t) => {
  const machine = await startMachine(t);
  try {
    await runTheGuide(t, machine);
  } catch (error) {
    t.diagnostic(`the units' logs:\n${machine.logText()}`);
    throw error;
  }
});

async function runTheGuide(t: TestContext, machine: Machine): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const dir = tempDir(t);
  const pgUrl = new URL(process.env.IMG_TEST_PG_URL ?? '');
  const amqpPort = new URL(process.env.IMG_TEST_AMQP_URL ?? '').port;
  const [webPort, proxyPort, redirectPort] = [await freePort(), await freePort(), await freePort()];
  const proxyUrl = `https://127.0.0.1:${proxyPort}/`;

  // PostgreSQL and RabbitMQ as the guide sets them up. Its names are fixed, so what an earlier run left goes first.
  const postgres = new pg.Client({ connectionString: pgUrl.href });
  await postgres.connect();
  const dropDatabase = async () => {
    await postgres.query('DROP DATABASE IF EXISTS imger WITH (FORCE)');
    await postgres.query('DROP ROLE IF EXISTS imger');
  };
  // rabbitmqctl boots an Erlang VM for each command (seconds on a busy machine), so as few as can be: add_vhost
  // and set_permissions do not mind what a run that could not clean up left, add_user does.
  t.after(async () => {
    await dropDatabase();
    await postgres.end();
    // Either may be missing when the test stopped early.
    await rabbitmqctl('rabbitmqctl delete_vhost imger || true\nrabbitmqctl delete_user imger || true');
  });
  const setUpServices = async () => {
    await dropDatabase();
    for (const statement of guideExample('postgres-setup').split(';')) {
      if (statement.trim() !== '') await postgres.query(statement);
    }
    await rabbitmqctl(
      `rabbitmqctl delete_user imger > /dev/null 2>&1 || true\n${guideExample('rabbitmq-setup')}`,
    );
  };

  // The certificate nginx presents, trusted by the clients as the guide says (NODE_EXTRA_CA_CERTS).
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=img.example.org',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:img.example.org',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const webNodeAnswers = () =>
    until('the web node answers through nginx', 60_000, async () => {
      const response = await fetchTls(`${proxyUrl}api/v1/healthz`, cert);
      return response.status === 200 ? true : undefined;
    });
  startNginx(t, dir, {
    'listen 443 ssl http2;': `listen 127.0.0.1:${proxyPort} ssl http2;`,
    'listen 80;': `listen 127.0.0.1:${redirectPort};`,
    '/etc/letsencrypt/live/img.example.org/fullchain.pem': cert,
    '/etc/letsencrypt/live/img.example.org/privkey.pem': key,
    'proxy_pass http://127.0.0.1:8080;': `proxy_pass http://127.0.0.1:${webPort};`,
  });

  // Meanwhile, the install steps, with the user manager's folder and systemctl for the system's.
  const install = async () => {
    await machine.sh(
      substitute(
        guideExample('install'),
        {
          '/etc/systemd/system/': '/etc/systemd/user/',
          'systemctl daemon-reload': 'systemctl --user daemon-reload',
        },
        'the install example',
      ),
    );
    await machine.sh(`mkdir -p /etc/systemd/user/service.d
printf '[Service]\\nStandardOutput=append:${machine.logs}/%%n.log\\nStandardError=inherit\\n' > /etc/systemd/user/service.d/test-logs.conf
systemctl --user daemon-reload`);
  };
  await Promise.all([setUpServices(), install()]);
  t.diagnostic(`services and machine ready at ${elapsed()}`);

  const hosts = {
    'db.example.org:5432': `127.0.0.1:${pgUrl.port}`,
    'mq.example.org:5672': `127.0.0.1:${amqpPort}`,
    'https://img.example.org/': proxyUrl,
  };
  const write = (path: string, text: string) => writeFileSync(machine.path(path), text);
  write(
    '/etc/imger/img.conf',
    substitute(
      guideExample('web-img.conf'),
      { ...hosts, '127.0.0.1:8080': `127.0.0.1:${webPort}` },
      'web-img.conf',
    ),
  );
  write('/etc/imger/worker.conf', substitute(guideExample('worker-img.conf'), hosts, 'worker-img.conf'));
  write('/etc/imger/ca.pem', readFileSync(cert, 'utf8'));
  write(
    '/etc/imger/worker-shared.env',
    `${guideExample('worker-default.env')}IMG_CONFIG=/etc/imger/worker.conf\n`,
  );
  await machine.sh('systemd-tmpfiles --create /etc/tmpfiles.d/imger.conf');
  const confStat = statSync(machine.path('/etc/imger/img.conf'));
  assert.equal(confStat.mode & 0o777, 0o640, 'tmpfiles keeps img.conf from other users');

  await machine.sh('systemctl --user start imger-web.service');
  await webNodeAnswers();

  t.diagnostic(`web node up at ${elapsed()}`);

  // Users as the guide makes them: as the service user, on the web node's machine.
  const addUser = (name: string, admin: boolean) =>
    machine.sh(
      `runuser -u imger -- /opt/imger/bin/imger.js user add ${admin ? '--admin ' : ''}${name}`,
      `${name}-pw\n`,
    );
  await addUser('img-worker', true);
  await addUser('alice', false);
  const tokenOf = async (username: string) => {
    const response = await fetchTls(`${proxyUrl}api/v1/tokens`, cert, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-pw` }),
    });
    assert.equal(response.status, 201, response.text);
    return (JSON.parse(response.text) as { token: string }).token;
  };
  const workersToken = await tokenOf('img-worker');
  const alicesToken = await tokenOf('alice');

  write(
    '/etc/imger/upload-worker.conf',
    substitute(
      guideExample('upload-worker-img.conf'),
      { ...hosts, 'THE-WORKERS-TOKEN': workersToken },
      'upload-worker-img.conf',
    ),
  );
  // Its "own disk": on its own machine it would be base_dir as the guide writes it.
  write(
    '/etc/imger/worker-upload.env',
    'IMGER_WORKER_OPTS=--queues requests --slots 1\nIMG_CONFIG=/etc/imger/upload-worker.conf\n' +
      'IMG_WORKER_BASE_DIR=/var/lib/imger/upload-builds\nNODE_EXTRA_CA_CERTS=/etc/imger/ca.pem\n',
  );
  write(
    '/etc/imger/participant.conf',
    substitute(
      guideExample('participant-img.conf'),
      // BOSS's broker: here IMG's own vhost, deleted with it.
      {
        'boss.example.org:5672': `127.0.0.1:${amqpPort}`,
        'amqp_user = boss': 'amqp_user = imger',
        'BOSS-PASSWORD': 'MQ-PASSWORD',
        'amqp_vhost = boss': 'amqp_vhost = imger',
      },
      'participant-img.conf',
    ),
  );
  write(
    '/etc/imger/participant.env',
    `${substitute(guideExample('participant.env'), { 'https://img.example.org/': proxyUrl, 'THE-PARTICIPANTS-TOKEN': workersToken }, 'participant.env')}` +
      'IMG_CONFIG=/etc/imger/participant.conf\nNODE_EXTRA_CA_CERTS=/etc/imger/ca.pem\n',
  );
  await machine.sh(
    'systemctl --user start imger-worker@shared.service imger-worker@upload.service imger-participant.service',
  );

  const broker = await amqp.connect(`amqp://imger:MQ-PASSWORD@127.0.0.1:${amqpPort}/imger`);
  // Closed by the vhost's deletion if not before (the hooks run in order, that one first).
  broker.on('error', () => {});
  t.after(() => broker.close().catch(() => {}));
  const queueState = async (queue: string) => {
    const channel = await broker.createChannel();
    channel.on('error', () => {});
    try {
      return await channel.checkQueue(queue);
    } finally {
      await channel.close().catch(() => {});
    }
  };
  const consumers = async (queue: string) => (await queueState(queue)).consumerCount;
  const queued = async (queue: string) => (await queueState(queue)).messageCount;
  for (const queue of ['img.web', 'img.requests', 'build_image']) {
    await until(`a consumer on ${queue}`, 60_000, async () =>
      (await consumers(queue)) > 0 ? true : undefined,
    );
  }

  t.diagnostic(`workers and participant up at ${elapsed()}`);

  // Two real builds through the command line, one for each worker, through nginx.
  const kickstart = join(dir, 'minimal.ks');
  writeFileSync(kickstart, validKickstart);
  const cli = (args: string[]) =>
    run(imger, args, {
      env: {
        ...process.env,
        IMG_SERVER: proxyUrl,
        IMG_TOKEN: alicesToken,
        NODE_EXTRA_CA_CERTS: cert,
        XDG_CONFIG_HOME: join(dir, 'config'),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  const submit = (queue: string, name: string, ...follow: string[]) =>
    cli([
      'submit',
      '-k',
      kickstart,
      '-t',
      'fs',
      '-q',
      queue,
      '-n',
      name,
      ...follow,
      '--download',
      join(dir, name),
    ]);
  const [shared, uploaded] = await Promise.all([
    submit('web', 'shared', '--wait'),
    submit('requests', 'uploaded', '--follow'),
  ]);
  // The uploading worker's log reached the follower live, through the web node and nginx.
  assert.match(uploaded.stdout, /build succeeded in/);

  const jobOf = async ({ stderr }: { stderr: string }, name: string) => {
    const id = /^submitted (\S+)$/m.exec(stderr)?.[1] ?? assert.fail(`no job id in ${stderr}`);
    const job = JSON.parse((await cli(['status', id, '--json'])).stdout) as {
      id: string;
      status: string;
      artifacts: { name: string; sha256: string; main: boolean }[];
    };
    assert.equal(job.status, 'DONE');
    const main = job.artifacts.find((artifact) => artifact.main);
    assert.equal(main?.name, `${name}.tar.zst`);
    const image = readFileSync(join(dir, name, `${name}.tar.zst`));
    assert.equal(createHash('sha256').update(image).digest('hex'), main?.sha256);
    const sums = readFileSync(join(dir, name, 'SHA256SUMS'), 'utf8');
    assert.ok(sums.includes(`${main?.sha256}  ${name}.tar.zst`), sums);
    return job;
  };
  t.diagnostic(`both builds downloaded at ${elapsed()}`);
  const sharedJob = await jobOf(shared, 'shared');
  const uploadedJob = await jobOf(uploaded, 'uploaded');

  // Where the files are: the sharing worker (root) wrote into the web node's base_dir, group imger; the
  // uploading one's files were written by the web node, and its own copy is gone.
  const imgerIds = statSync(machine.path('/var/lib/imger/images'));
  const sharedFolder = machine.path(`/var/lib/imger/images/web/alice/${sharedJob.id}`);
  const sharedImage = statSync(join(sharedFolder, 'shared.tar.zst'));
  assert.deepEqual([sharedImage.uid, sharedImage.gid], [0, imgerIds.gid]);
  const uploadedImage = statSync(
    machine.path(`/var/lib/imger/images/requests/alice/${uploadedJob.id}/uploaded.tar.zst`),
  );
  assert.deepEqual([uploadedImage.uid, uploadedImage.gid], [imgerIds.uid, imgerIds.gid]);
  assert.deepEqual(readdirSync(machine.path('/var/lib/imger/upload-builds/requests/alice')), []);

  // The unprivileged web node deletes what the root worker made in the shared base_dir.
  await cli(['delete', sharedJob.id]);
  assert.throws(() => statSync(sharedFolder), { code: 'ENOENT' });

  // The participant: a workitem whose kickstart the server refuses is answered ERROR, through the API.
  const channel = await broker.createChannel();
  await channel.assertQueue('ruote_workitems');
  const wfid = `multi-machine-${process.pid}`;
  channel.sendToQueue(
    'build_image',
    Buffer.from(
      JSON.stringify({
        fei: { wfid, expid: '0_0_1', subid: 'sub', engine_id: 'engine' },
        participant_name: 'build_image',
        fields: {
          params: {},
          dispatched_at: new Date().toISOString(),
          image: {
            kickstart: 'part / --size=big\n',
            image_id: 'i',
            image_type: 'fs',
            name: 'boss',
            arch: 'x86_64',
          },
        },
      }),
    ),
    { persistent: true },
  );
  const reply = await until('the participant answers', 60_000, async () => {
    const message = await channel.get('ruote_workitems', { noAck: true });
    if (!message) return undefined;
    const item = JSON.parse(message.content.toString()) as {
      fei: { wfid: string };
      fields: Record<string, unknown>;
    };
    return item.fei.wfid === wfid ? item : undefined;
  });
  assert.equal(reply.fields.Status, 'ERROR');
  assert.match(String(reply.fields.Error), /^IMG refused the job: the kickstart has 1 error/);
  // Backup and restore as the guide says, onto a broker that lost its messages: a job waiting when the dump was
  // taken is published again, and the jobs, users and files from before are all there.
  await machine.sh('systemctl --user stop imger-worker@shared.service imger-worker@upload.service');
  const waiting = JSON.parse(
    (await cli(['submit', '-k', kickstart, '-t', 'fs', '-q', 'web', '-n', 'waiting', '--json'])).stdout,
  ) as { id: string };
  const backup = join(dir, 'backup');
  mkdirSync(backup);
  const postgresClient = `export PGHOST=127.0.0.1 PGPORT=${pgUrl.port}\n`;
  await machine.sh(
    postgresClient + substitute(guideExample('backup'), { '/backup/': `${backup}/` }, 'the backup example'),
  );
  await machine.sh('systemctl --user stop imger-web.service imger-participant.service');
  await rabbitmqctl('rabbitmqctl purge_queue -p imger img.web');
  await machine.sh(
    postgresClient +
      substitute(
        guideExample('restore'),
        { '/backup/': `${backup}/`, 'imger-DATE.dump': 'imger-$(date +%F).dump' },
        'the restore example',
      ),
  );
  await machine.sh('systemctl --user start imger-web.service');
  await until('the waiting job is in its queue again', 60_000, async () =>
    (await queued('img.web')) === 1 ? true : undefined,
  );
  // The relay may publish before the web node listens; until it does, nginx answers 502.
  await webNodeAnswers();
  const restored = JSON.parse((await cli(['status', waiting.id, '--json'])).stdout) as { status: string };
  assert.equal(restored.status, 'IN QUEUE');
  await cli(['download', uploadedJob.id, '-o', join(dir, 'restored')]);
  assert.deepEqual(
    readFileSync(join(dir, 'restored', 'uploaded.tar.zst')),
    readFileSync(join(dir, 'uploaded', 'uploaded.tar.zst')),
  );
  t.diagnostic(`restored at ${elapsed()}`);

  // The guide's port 80 server sends plain HTTP to HTTPS.
  const redirect = await fetch(`http://127.0.0.1:${redirectPort}/img/queue/`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), 'https://127.0.0.1/img/queue/');
}

/** nginx with the guide's server blocks, in a file of its own, in the foreground; stopped after the test. */
function startNginx(t: TestContext, dir: string, replacements: Record<string, string>): void {
  const state = join(dir, 'nginx');
  mkdirSync(state);
  const servers = substitute(guideExample('nginx'), replacements, 'the nginx example');
  const conf = join(state, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${state}/nginx.pid;\nerror_log ${state}/error.log;\nevents {}\nhttp {\n  access_log off;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((kind) => `  ${kind}_temp_path ${state}/${kind};\n`)
        .join('') +
      `${servers}}\n`,
  );
  const log = openSync(join(state, 'console.log'), 'a');
  const nginx = spawn('nginx', ['-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', log, log] });
  t.after(async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return;
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  });
}

/** An HTTPS call trusting the test's certificate, as curl --cacert would make it. */
function fetchTls(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      ca: readFileSync(ca),
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    request.end(init.body);
  });
}
