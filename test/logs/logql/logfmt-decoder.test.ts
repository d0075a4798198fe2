import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLogfmtValues, forEachLogfmtPair } from '../../../src/logs/logql/logfmt-decoder.js';

const lines = [
  'level=info msg="a b" status=200',
  'msg="level=fake" level=warn',
  'level=info level=error',
  'xlevel=1 level=2',
  'level= status=1',
  'level="quoted \\"esc\\"" status=3',
  'level=a=b status=4',
  'status="unterminated level=x',
  'level',
  '',
  '  level=trailing   ',
];

test('the hinted lookup finds what the full scanner reports', () => {
  for (const line of lines) {
    const full = new Map<string, string | undefined>();
    forEachLogfmtPair(line, false, (k, v) => full.set(k, v));
    const [level, status] = findLogfmtValues(line, ['level', 'status']);
    const want = (k: string): string | undefined =>
      full.get(k) === undefined ? undefined : full.get(k);
    assert.equal(level, want('level'), `level in ${JSON.stringify(line)}`);
    assert.equal(status, want('status'), `status in ${JSON.stringify(line)}`);
  }
});

test('scanner errors carry the decoder position', () => {
  const errors: [string, string][] = [
    ['a="x', 'logfmt syntax error at pos 5 on line 1: unterminated quoted value'],
    ['=x', "logfmt syntax error at pos 1 on line 1: unexpected '='"],
    ['a=b"c', "logfmt syntax error at pos 4 on line 1: unexpected '\"'"],
  ];
  for (const [line, msg] of errors)
    assert.equal(
      forEachLogfmtPair(line, true, () => {}),
      msg,
    );
});
