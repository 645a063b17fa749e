import type { FastifyInstance } from 'fastify';
import { LintRequest, LintResult, RenderRequest, RenderResult } from '../../../contract/api.ts';
import { renderKickstarterText } from '../../../kickstart/kickstarter/index.ts';
import { lintKickstart } from '../../jobs/index.ts';
import type { AppDeps } from '../deps.ts';
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

  app.post<{ Body: RenderRequest }>(
    '/kickstarts/render',
    {
      bodyLimit: 2 * MAX_KICKSTART_BYTES,
      schema: {
        tags,
        summary: 'kickstarter YAML to kickstarts; scripts/ and partitions/ files cannot be used',
        body: RenderRequest,
        response: { 200: RenderResult },
      },
    },
    async (request): Promise<RenderResult> => {
      const { configurations, repos, name } = request.body;
      // No snippets and no ExternalConfigs files: the server must not read its own disk for a caller's YAML.
      return renderKickstarterText({
        configurations: { path: 'configurations.yaml', text: configurations },
        ...(repos === undefined ? {} : { repos: { path: 'repos.yaml', text: repos } }),
        ...(name === undefined ? {} : { only: [name] }),
      });
    },
  );
}
