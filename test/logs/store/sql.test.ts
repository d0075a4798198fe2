import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lineFilterSql, patternToLike, requiredLiterals } from '../../../src/logs/store/sql.js';

describe('requiredLiterals, longest first (prefilter for |~ pushed into SQL)', () => {
  const cases: [string, string | undefined, string][] = [
    ['status=50[23] .*user=u4[0-9]{2}', 'status=50', 'longest literal run before a class'],
    ['timeout', 'timeout', 'a plain word'],
    ['time(out)?s', 'time', 'optional group left out'],
    ['colou?r', 'colo', 'an optional character is left out'],
    ['error|warn', undefined, 'alternation: nothing is required'],
    ['(?i)error', undefined, 'case-insensitive: a substring test would be wrong'],
    ['GET /api/v1\\.items', 'GET /api/v1.items', 'escaped punctuation is literal'],
    ['\\x41BCD', undefined, 'character escapes are not analysed'],
    ['abc+defg', 'defg', 'a repetition ends a run; the longest run wins'],
    ['[\\]x]abc', 'abc', 'classes with escaped brackets are skipped whole'],
    ['\\d+ms', undefined, 'too short to be worth it'],
    ['.*', undefined, 'nothing literal'],
  ];
  for (const [re, want, why] of cases) {
    it(`${why}: ${re}`, () => assert.equal(requiredLiterals(re)[0], want));
  }
});

describe('requiredLiterals', () => {
  const cases: [string, string[]][] = [
    ['status=50[23] .*user=u4[0-9]{2}', ['status=50', ' ', 'user=u4'].filter((l) => l.length >= 3)],
    ['abc+defg', ['defg', 'abc']],
    ['timeout', ['timeout']],
    ['error|warn', []],
    ['x(abc)yz', []],
  ];
  for (const [re, want] of cases) {
    it(re, () => assert.deepEqual(requiredLiterals(re), want));
  }

  it('each is tested before the regex', () => {
    assert.equal(
      lineFilterSql({ op: '|~', values: ['status=50[23] .*user=u4[0-9]{2}'] }),
      "(contains(line, 'status=50') AND contains(line, 'user=u4') AND regexp_matches(line, 'status=50[23] .*user=u4[0-9]{2}'))",
    );
  });
});

describe('patternToLike', () => {
  it('turns captures into wildcards and escapes LIKE syntax', () => {
    assert.equal(patternToLike('<ip> - <_> "GET <path> 100%_'), '% - % "GET % 100\\%\\_');
  });
});
