import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlloySyntaxError,
  parseAlloy,
  parseAlloyExpression,
} from '../../../src/agent/syntax/index.js';

describe('Alloy syntax: valid files', () => {
  const cases: {
    why: string;
    src: string;
    check: (body: ReturnType<typeof parseAlloy>) => void;
  }[] = [
    {
      why: 'labelled block with a reference list and // comments',
      src: [
        '// ship files',
        'loki.source.file "logs" {',
        '  targets    = local.file_match.logs.targets // inline',
        '  forward_to = [loki.process.main.receiver]',
        '}',
      ].join('\n'),
      check: (body) => {
        const b = body[0]!;
        assert.equal(b.type, 'block');
        if (b.type !== 'block') return;
        assert.equal(b.name, 'loki.source.file');
        assert.equal(b.label, 'logs');
        assert.deepEqual(
          b.body.map((s) => s.name),
          ['targets', 'forward_to'],
        );
        assert.deepEqual(b.pos, { offset: 14, line: 2, col: 1 });
      },
    },
    {
      why: 'nested unlabelled blocks, arrays over several lines with trailing commas',
      src: `loki.process "main" {
  stage.static_labels {
    values = {
      env  = "sandbox",
      "host" = constants.hostname,
    }
  }
  /* a block
     comment */
  forward_to = [
    loki.write.default.receiver,
  ]
}`,
      check: (body) => {
        const b = body[0]!;
        assert.ok(b.type === 'block');
        assert.equal(b.body[0]!.name, 'stage.static_labels');
        assert.equal(b.body[1]!.name, 'forward_to');
      },
    },
    {
      why: 'raw strings keep backslashes, and Go escapes are decoded',
      src: 'a = `C:\\logs\\(\\d+)`\nb = "tab\\tnl\\n\\x41\\u00e9\\101"\n',
      check: (body) => {
        const [a, b] = body;
        assert.ok(a?.type === 'attribute' && b?.type === 'attribute');
        assert.deepEqual(a.value, { type: 'literal', pos: a.value.pos, value: 'C:\\logs\\(\\d+)' });
        assert.ok(b.value.type === 'literal');
        assert.equal(b.value.value, 'tab\tnl\nAéA');
      },
    },
    {
      why: 'numbers, floats, bools and null',
      src: 'a = 1\nb = 1.5e3\nc = true\nd = null\ne = .5',
      check: (body) => {
        const values = body.map((s) =>
          s.type === 'attribute' && s.value.type === 'literal' ? s.value.value : 'x',
        );
        assert.deepEqual(values, [1, 1500, true, null, 0.5]);
      },
    },
    {
      why: 'an empty file and a file of comments only',
      src: '// nothing\n/* here */\n',
      check: (body) => assert.deepEqual(body, []),
    },
  ];
  for (const c of cases) it(c.why, () => c.check(parseAlloy('config.alloy', c.src)));
});

describe('Alloy syntax: expressions', () => {
  it('keeps operator precedence and right-associative ^', () => {
    const e = parseAlloyExpression('1 + 2 * 3 == 7 && !false || 2 ^ 3 ^ 2 > 1');
    assert.equal(e.type, 'binary');
    assert.ok(e.type === 'binary');
    assert.equal(e.op, '||');
    const right = e.right;
    assert.ok(right.type === 'binary' && right.op === '>');
    assert.ok(right.left.type === 'binary' && right.left.op === '^');
    assert.ok(right.left.right.type === 'binary' && right.left.right.op === '^');
  });
  it('parses calls on dotted names and indexes', () => {
    const e = parseAlloyExpression('sys.env("HOME")[0]');
    assert.ok(e.type === 'index' && e.value.type === 'call');
    assert.ok(e.value.fn.type === 'access' && e.value.fn.name === 'env');
  });
});

describe('Alloy syntax: invalid files', () => {
  const cases: { why: string; src: string; messages: string[] }[] = [
    {
      why: 'a # comment gets the // advice',
      src: 'logging {\n  # level = "debug"\n}\n',
      messages: [`config.alloy:2:3: illegal character U+0023 '#' (Alloy comments are // (not #))`],
    },
    {
      why: 'an unterminated string',
      src: 'a = "abc\n',
      messages: ['config.alloy:1:5: string literal not terminated'],
    },
    {
      why: 'single quotes',
      src: "a = 'x'\n",
      messages: ['config.alloy:1:5: illegal single-quoted string; use double quotes'],
    },
    {
      why: 'a missing comma in a multi-line list',
      src: 'a = [\n  1\n]\n',
      messages: [`config.alloy:2:4: missing ',' in expression list`],
    },
    {
      why: 'a dotted attribute name',
      src: 'a.b = 1\n',
      messages: [
        'config.alloy:1:1: attribute names may only consist of a single identifier with no "."',
      ],
    },
    {
      why: 'a label that is not an identifier',
      src: 'local.file_match "my-logs" {\n}\n',
      messages: [
        'config.alloy:1:18: expected block label to be a valid identifier, but got "my-logs"',
      ],
    },
    {
      why: 'a statement that is neither attribute nor block',
      src: 'foo 1\n',
      messages: ['config.alloy:1:5: expected block label, got NUMBER'],
    },
    {
      why: 'an unknown escape sequence',
      src: 'a = "\\q"\n',
      messages: ['config.alloy:1:5: unknown escape sequence'],
    },
    {
      why: 'an unclosed block reports at end of file',
      src: 'logging {\n  level = "info"\n',
      messages: ['config.alloy:3:1: expected }, got EOF'],
    },
    {
      why: 'several errors on several lines are all reported',
      src: '# one\na = \nb = 2\n',
      messages: [
        `config.alloy:1:1: illegal character U+0023 '#' (Alloy comments are // (not #))`,
        // As in Alloy: no terminator after `=`, so `b` is read as the value of `a`.
        'config.alloy:3:3: expected TERMINATOR, got =',
      ],
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.throws(
        () => parseAlloy('config.alloy', c.src),
        (err: unknown) => {
          assert.ok(err instanceof AlloySyntaxError);
          assert.deepEqual(err.message.split('\n'), c.messages);
          return true;
        },
      );
    });
  }
});
