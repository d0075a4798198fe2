import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EvalError,
  evaluate,
  goSprintf,
  standardLibrary,
} from '../../../src/agent/runtime/index.js';
import { parseAlloyExpression } from '../../../src/agent/syntax/index.js';

const scope = {
  ...standardLibrary({ HOME: '/home/luce', EMPTY: '' }),
  loki: { process: { main: { receiver: 'the-receiver' } } },
};
const run = (src: string) => evaluate(parseAlloyExpression(src), scope);

describe('Alloy expressions and standard library', () => {
  const cases: [string, unknown][] = [
    ['1 + 2 * 3', 7],
    ['2 ^ 3 ^ 2', 512],
    ['(1 + 2) * 3', 9],
    ['7 % 4', 3],
    ['-3 + 1', -2],
    ['"a" + "b"', 'ab'],
    ['1 < 2 && "a" < "b"', true],
    ['!true || false', false],
    ['[1, 2] == [1, 2]', true],
    ['{a = 1} != {a = 2}', true],
    ['[10, 20, 30][1]', 20],
    ['{ "x-y" = 5 }["x-y"]', 5],
    ['loki.process.main.receiver', 'the-receiver'],
    ['env("HOME")', '/home/luce'],
    ['sys.env("MISSING")', ''],
    ['coalesce(sys.env("EMPTY"), "", "fallback")', 'fallback'],
    ['coalesce([], ["x"])', ['x']],
    ['concat([1], [2, 3], [])', [1, 2, 3]],
    ['array.concat(["a"], ["b"])', ['a', 'b']],
    [
      'format("%s-%d-%05.2f-%q-%v-%t-%%", "a", 7, 3.14159, "q", [1, 2], true)',
      'a-7-03.14-"q"-[1 2]-true-%',
    ],
    ['string.format("%x %X %o %b", 255, 255, 8, 5)', 'ff FF 10 101'],
    ['format("%d")', '%!d(MISSING)'],
    ['format("%d", "x")', '%!d(string=x)'],
    ['join(["a", "b"], ",")', 'a,b'],
    ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['trim("  xx  ", " ")', 'xx'],
    ['trim_prefix("prefix-name", "prefix-")', 'name'],
    ['trim_suffix("file.log", ".log")', 'file'],
    ['trim_space("\\t x \\n")', 'x'],
    ['to_lower("AbC")', 'abc'],
    ['string.to_upper("AbC")', 'ABC'],
    ['replace("a.b.c", ".", "/")', 'a/b/c'],
    ['json_decode("{\\"a\\": [1, {\\"b\\": true}]}").a[1].b', true],
    ['encoding.from_json("[1,2]")', [1, 2]],
    ['encoding.from_base64("aGVsbG8=")', 'hello'],
    ['constants.os', process.platform],
    ['nonsensitive("s")', 's'],
  ];
  for (const [src, want] of cases) {
    it(src, () => assert.deepEqual(run(src), want));
  }

  it('constants.hostname is the host name', async () => {
    const { hostname } = await import('node:os');
    assert.equal(run('constants.hostname'), hostname());
  });

  const errors: [string, string | RegExp][] = [
    ['nope', 'identifier "nope" does not exist'],
    ['loki.process.other', 'field "other" does not exist'],
    ['{a = 1}.constructor', 'field "constructor" does not exist'],
    ['1 + "a"', 'expected number, got string'],
    ['!1', 'expected bool, got number'],
    ['[1][3]', 'index 3 is out of range of array with length 1'],
    ['env("A", "B")', 'expected 1 argument, got 2'],
    ['join("a", ",")', 'join: expected array, got string'],
    ['json_decode("{")', /^json_decode: .*JSON/],
    ['"x"()', 'string is not a function'],
  ];
  for (const [src, message] of errors) {
    it(`error: ${src}`, () => {
      assert.throws(
        () => run(src),
        (err: unknown) =>
          err instanceof EvalError &&
          (typeof message === 'string' ? err.message === message : message.test(err.message)),
      );
    });
  }
});

describe('Go fmt verbs', () => {
  it('pads, signs and reports extra arguments as Go does', () => {
    assert.equal(
      goSprintf('[%5s][%-5s][%+d][%e]', ['ab', 'ab', 3, 1234.5]),
      '[   ab][ab   ][+3][1.234500e+03]',
    );
    assert.equal(goSprintf('%s', ['a', 1]), 'a%!(EXTRA int=1)');
  });
});
