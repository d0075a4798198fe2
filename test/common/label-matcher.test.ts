import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileLabelMatcher,
  compileMatcherRegex,
  matchesEmpty,
} from '../../src/common/label-matcher.js';
import type { LabelMatcher } from '../../src/common/labels.js';

const m = (type: LabelMatcher['type'], value: string): LabelMatcher => ({ type, name: 'l', value });

describe('label matchers (Prometheus and Loki semantics)', () => {
  const table: [LabelMatcher, string, boolean][] = [
    [m('=', 'a'), 'a', true],
    [m('=', 'a'), 'ab', false],
    [m('!=', 'a'), 'b', true],
    [m('!=', ''), '', false],
    // Regexes are anchored at both ends.
    [m('=~', 'a|b'), 'b', true],
    [m('=~', 'a'), 'ab', false],
    [m('=~', 'a.*'), 'abc', true],
    [m('!~', 'a.*'), 'abc', false],
    [m('!~', 'a.*'), 'xa', true],
    // RE2: `.` does not match a newline unless (?s) says so.
    [m('=~', 'a.b'), 'a\nb', false],
    [m('=~', '(?s)a.b'), 'a\nb', true],
    [m('=~', '(?i)ERR'), 'err', true],
  ];
  for (const [matcher, value, want] of table) {
    it(`${matcher.type}"${matcher.value}" on ${JSON.stringify(value)}`, () =>
      assert.equal(compileLabelMatcher(matcher)(value), want));
  }

  it('tells which matchers select series without the label', () => {
    assert.equal(matchesEmpty(m('=~', '.*')), true);
    assert.equal(matchesEmpty(m('=~', '.+')), false);
    assert.equal(matchesEmpty(m('!=', 'x')), true);
  });

  it('refuses an invalid pattern with Go message, and caches compiled ones', () => {
    assert.throws(() => compileMatcherRegex('a('), /error parsing regexp: missing closing \)/);
    assert.equal(compileMatcherRegex('x+'), compileMatcherRegex('x+'));
  });
});
