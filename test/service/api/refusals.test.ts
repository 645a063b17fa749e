// One submit test and one lint test per row of the builder's table of refusals (src/builder/refusals.ts): a
// refusal added there is refused at submit with its line, or this file fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Refusal, type RefusalCode, refusals } from '../../../src/builder/refusals.ts';
import { harness } from './harness.ts';

const rows = Object.entries(refusals) as [RefusalCode, Refusal][];

describe('every refusal of the builder is refused at submit, with its line', () => {
  for (const [code, { field, example }] of rows) {
    test(`${code}: POST /jobs answers 400, and lint reports it as the user types`, async (t) => {
      const { app, as, jobs } = await harness(t, 'sqlite');
      const fields = {
        kickstart: example.kickstart,
        type: example.type,
        arch: example.arch,
        ...(example.tokenmap === undefined ? {} : { tokenmap: example.tokenmap }),
        ...(example.extraRepos ? { extra_repos: example.extraRepos } : {}),
        ...(example.packages ? { packages: example.packages } : {}),
      };
      const submitted = await app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: as.alice,
        payload: fields,
      });
      assert.equal(submitted.statusCode, 400, submitted.body);
      const lint = await app.inject({
        method: 'POST',
        url: '/api/v1/kickstarts/lint',
        headers: as.alice,
        payload: fields,
      });
      if (field) {
        assert.equal(submitted.json().error, 'bad-request');
        const { message } = submitted.json();
        assert.ok(message.includes(example.says) || message.startsWith(`${field}`), message);
        // A lint that is not told the type cannot judge it; told, it refuses it as the submit does.
        assert.equal(lint.statusCode, 400, lint.body);
      } else {
        assert.equal(submitted.json().error, 'invalid-kickstart');
        const errors = submitted.json().details.errors as { line: number; message: string }[];
        assert.ok(
          errors.some((e) => e.line === example.line && e.message.includes(example.says)),
          JSON.stringify(errors),
        );
        assert.equal(lint.statusCode, 200);
        assert.equal(lint.json().ok, false);
        assert.deepEqual(lint.json().errors, errors);
      }
      assert.equal((await jobs.list({}, { limit: 10 })).jobs.length, 0, 'nothing is stored');
    });
  }
});
