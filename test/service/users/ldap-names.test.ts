import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeDnValue, sameDn, userDn, userFilter } from '../../../src/service/users/ldap-names.ts';

test('a login name is one assertion value in a filter: RFC 4515 escapes, the original’s %(user)s too', () => {
  assert.equal(userFilter('(uid={user})', 'alice'), '(uid=alice)');
  assert.equal(userFilter('(|(uid=%(user)s)(mail={user}))', 'a'), '(|(uid=a)(mail=a))');
  assert.equal(userFilter('(uid={user})', '*)(uid=*'), '(uid=\\2a\\29\\28uid=\\2a)');
  assert.equal(userFilter('(uid={user})', 'back\\slash\0'), '(uid=back\\5cslash\\00)');
  assert.equal(userFilter('(uid={user})', '$&$1$`'), '(uid=$&$1$`)', 'replacement patterns stay text');
});

test('a login name is one RDN value in a DN: RFC 4514 escapes', () => {
  assert.equal(userDn('uid={user},ou=people,dc=x', 'alice'), 'uid=alice,ou=people,dc=x');
  assert.equal(escapeDnValue('Smith, John'), 'Smith\\, John');
  assert.equal(escapeDnValue('a+cn=b;c<d>e"f\\g=h'), 'a\\+cn\\=b\\;c\\<d\\>e\\"f\\\\g\\=h');
  assert.equal(escapeDnValue('#lead'), '\\#lead');
  assert.equal(escapeDnValue('in#side'), 'in#side');
  assert.equal(escapeDnValue(' both '), '\\ both\\ ');
  assert.equal(escapeDnValue('nul\0line\nend'), 'nul\\00line\\0aend');
  assert.equal(escapeDnValue('Jürgen'), 'Jürgen');
});

test('DNs compare without case and spaces around separators', () => {
  assert.ok(
    sameDn('cn=IMG Admins, ou=Groups,dc=example,dc=org', 'CN=img admins,OU=groups, DC=example, DC=org'),
  );
  assert.ok(!sameDn('cn=img admins,ou=groups,dc=example,dc=org', 'cn=imgadmins,ou=groups,dc=example,dc=org'));
  assert.ok(!sameDn('cn=a\\,b,dc=x', 'cn=a,b,dc=x'));
});
