import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LintRequest, LintResult, RenderRequest, RenderResult } from '../../../contract/api.ts';
import { renderKickstarterText } from '../../../kickstart/kickstarter/index.ts';
import { ServiceError } from '../../errors.ts';
import { lintKickstart } from '../../jobs/index.ts';
import type { AppDeps } from '../deps.ts';
import { snippetsOf } from '../kickstarter-files.ts';
import { MAX_KICKSTARTER_TAR_BYTES, readKickstarterTar } from '../kickstarter-tar.ts';
import { MAX_KICKSTART_BYTES } from '../submission.ts';

const tags = ['kickstarts'];

/** Help with a kickstart before it is submitted; nothing here stores anything. */
export async function kickstartRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post<{ Body: LintRequest }>(
    '/kickstarts/lint',
    {
      bodyLimit: 2 * MAX_KICKSTART_BYTES,
      schema: {
        tags,
        summary: 'the checks POST /jobs makes, as a report: its errors would refuse the job',
        body: LintRequest,
        response: { 200: LintResult },
      },
    },
    async (request): Promise<LintResult> => {
      const { kickstart, tokenmap, type, arch, extra_repos, packages } = request.body;
      const lint = lintKickstart({
        kickstart,
        tokenmap,
        type,
        arch,
        extraRepos: extra_repos,
        packages,
        gpgKeyDir: deps.config.worker.gpg_key_dir,
        builder: deps.config.worker.builder,
      });
      return { ok: lint.errors.length === 0, errors: [...lint.errors], warnings: [...lint.warnings] };
    },
  );

  // A kickstarter folder may come as a tar: read whole here (within the route's limit), unpacked in memory.
  app.addContentTypeParser(
    TAR_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_KICKSTARTER_TAR_BYTES },
    (_request, body, done) => done(null, body),
  );
  // Bytes, not JSON: the schema only documents them (a `format` here would make ajv want a string).
  const folderBody = { schema: Type.Unsafe<Buffer>({ description: FOLDER_DESCRIPTION }) };

  app.post<{ Body: RenderRequest | Buffer; Querystring: RenderQuery }>(
    '/kickstarts/render',
    {
      bodyLimit: MAX_KICKSTARTER_TAR_BYTES,
      schema: {
        tags,
        summary:
          'kickstarter YAML, with its scripts/ and partitions/ files, to kickstarts: as JSON or as a tar',
        querystring: RenderQuery,
        body: {
          content: Object.fromEntries([
            ['application/json', { schema: RenderRequest }],
            ...TAR_TYPES.map((type) => [type, folderBody]),
          ]),
        },
        response: { 200: RenderResult },
      },
    },
    async (request): Promise<RenderResult> => {
      const { configurations, repos, name, files } = Buffer.isBuffer(request.body)
        ? await renderRequestOf(request.body, request.query.name)
        : request.body;
      // Script and partition files come with the request, never from the server's disk; no ExternalConfigs.
      return renderKickstarterText({
        configurations: { path: 'configurations.yaml', text: configurations },
        ...(repos === undefined ? {} : { repos: { path: 'repos.yaml', text: repos } }),
        ...(files === undefined ? {} : { snippets: snippetsOf(files) }),
        ...(name === undefined ? {} : { only: [name] }),
      });
    },
  );
}

const TAR_TYPES = ['application/x-tar', 'application/gzip'];
const FOLDER_DESCRIPTION =
  'the kickstarter folder as a tar (gzip-compressed or not): configurations.yaml, repos.yaml, scripts/, ' +
  'partitions/, at its top or in one folder; plain files only, paths inside the folder';

const RenderQuery = Type.Object({
  name: Type.Optional(
    Type.String({ description: 'with a tar: render only the configuration of this Name or FileName' }),
  ),
});
type RenderQuery = Static<typeof RenderQuery>;

async function renderRequestOf(tar: Buffer, name: string | undefined): Promise<RenderRequest> {
  const folder = await readKickstarterTar(tar);
  if (folder.configurations === undefined)
    throw new ServiceError(
      'bad-request',
      'the tar has no configurations.yaml, at its top or in its one folder',
    );
  return {
    configurations: folder.configurations,
    ...(folder.repos === undefined ? {} : { repos: folder.repos }),
    files: folder.files,
    ...(name === undefined ? {} : { name }),
  };
}
