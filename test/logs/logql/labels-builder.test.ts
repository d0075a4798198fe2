import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelsBuilder } from '../../../src/logs/logql/labels-builder.js';

test('series identity depends only on the final labels', () => {
  const a = new LabelsBuilder();
  a.reset({ a: '1', z: '9' });
  a.set('b', '2');
  const b = new LabelsBuilder();
  b.reset({ b: '2', z: '9' });
  b.set('a', '1');
  assert.equal(a.groupedKey(undefined), b.groupedKey(undefined));
  assert.deepEqual(a.labels(), b.labels());
  const c = new LabelsBuilder();
  c.reset({ a: 'x', b: '2', z: '9', gone: 'y' });
  c.set('a', '1');
  c.del('gone');
  assert.equal(c.groupedKey(undefined), a.groupedKey(undefined));
  assert.equal(
    c.groupedKey({ without: false, labels: ['z'] }),
    a.groupedKey({ without: false, labels: ['z'] }),
  );
  assert.equal(
    c.groupedKey({ without: true, labels: ['a'] }),
    b.groupedKey({ without: true, labels: ['a'] }),
  );
});

test('errors keep every label when grouping', () => {
  const l = new LabelsBuilder();
  l.reset({ app: 'x', env: 'dev' });
  l.setErr('JSONParserErr', 'bad');
  assert.deepEqual(l.grouped({ without: false, labels: ['env'] }), {
    __error__: 'JSONParserErr',
    __error_details__: 'bad',
    app: 'x',
    env: 'dev',
  });
});
