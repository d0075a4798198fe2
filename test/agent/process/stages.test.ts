import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnumBlock } from '../../../src/agent/component.js';
import {
  LOKI_PROCESS_SCHEMA,
  Pipeline,
  type ProcessEntry,
} from '../../../src/agent/components/loki-process/index.js';
import { decodeBody, evaluate, standardLibrary } from '../../../src/agent/runtime/index.js';
import { parseAlloy } from '../../../src/agent/syntax/index.js';

/** A pipeline from the stage blocks as a user writes them in loki.process. */
function pipeline(stages: string): Pipeline {
  const [block] = parseAlloy('t.alloy', `loki.process "t" {\n  forward_to = []\n${stages}\n}\n`);
  assert.ok(block?.type === 'block');
  const scope = standardLibrary();
  const args = decodeBody(block.body, LOKI_PROCESS_SCHEMA, block.pos, (e) => evaluate(e, scope));
  return new Pipeline(args.stage as EnumBlock[]);
}

const T0 = 1_700_000_000_000_000_000n;

function entry(line: string, labels: Record<string, string> = { job: 'test' }): ProcessEntry {
  return { labels: { ...labels }, timestamp: T0, line, metadata: {}, extracted: {} };
}

function run(p: Pipeline, lines: (string | ProcessEntry)[]) {
  const dropped: string[] = [];
  const out = p.process(
    lines.map((l) => (typeof l === 'string' ? entry(l) : l)),
    (_e, reason) => dropped.push(reason),
  );
  return { out, dropped };
}

describe('loki.process stages', () => {
  const cases: {
    why: string;
    stages: string;
    input: (string | ProcessEntry)[];
    check: (r: ReturnType<typeof run>) => void;
  }[] = [
    {
      why: 'static_labels adds labels; a null value adds nothing',
      stages: 'stage.static_labels {\n values = { env = "sandbox", skip = null }\n}',
      input: ['x'],
      check: ({ out }) => assert.deepEqual(out[0]!.labels, { job: 'test', env: 'sandbox' }),
    },
    {
      why: 'json extracts fields, nested paths, quoted names and indexes; labels promotes them',
      stages: `stage.json {
  expressions = { level = "", user = "req.user", agent = "\\"user-agent\\"", first = "tags[0]", n = "count" }
}
stage.labels {
  values = { level = "", user = null, n = "" }
}`,
      input: [
        '{"level":"warn","req":{"user":"ann"},"user-agent":"curl","tags":["a","b"],"count":3}',
      ],
      check: ({ out }) => {
        assert.deepEqual(out[0]!.extracted, {
          level: 'warn',
          user: 'ann',
          agent: 'curl',
          first: 'a',
          n: 3,
        });
        assert.deepEqual(out[0]!.labels, { job: 'test', level: 'warn', user: 'ann', n: '3' });
      },
    },
    {
      why: 'json leaves a malformed line alone, or drops it with drop_malformed',
      stages: 'stage.json {\n expressions = { a = "" }\n drop_malformed = true\n}',
      input: ['not json', '{"a":1}'],
      check: ({ out, dropped }) => {
        assert.deepEqual(
          out.map((e) => e.line),
          ['{"a":1}'],
        );
        assert.deepEqual(dropped, ['drop_malformed']);
      },
    },
    {
      why: 'logfmt maps keys, with quotes and escapes',
      stages: 'stage.logfmt {\n mapping = { lvl = "level", msg = "" }\n}',
      input: ['ts=1 level=info msg="hello \\"world\\"" bare'],
      check: ({ out }) =>
        assert.deepEqual(out[0]!.extracted, { lvl: 'info', msg: 'hello "world"' }),
    },
    {
      why: 'regex extracts named groups (Go syntax) from the line or a source',
      stages: `stage.regex {
  expression = "^(?P<ip>\\\\S+) \\\\S+ \\\\S+ \\\\[(?P<ts>[^\\\\]]+)\\\\] \\"(?P<method>\\\\w+)"
}
stage.regex {
  source     = "method"
  expression = "^(?P<first>.)"
}`,
      input: ['10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200'],
      check: ({ out }) =>
        assert.deepEqual(out[0]!.extracted, {
          ip: '10.0.0.1',
          ts: '10/Oct/2000:13:55:36 -0700',
          method: 'GET',
          first: 'G',
        }),
    },
    {
      why: 'timestamp parses a Go layout with a zone offset',
      stages: `stage.regex {
  expression = "\\\\[(?P<ts>[^\\\\]]+)\\\\]"
}
stage.timestamp {
  source = "ts"
  format = "02/Jan/2006:15:04:05 -0700"
}`,
      input: ['[10/Oct/2000:13:55:36 -0700] x'],
      check: ({ out }) =>
        assert.equal(out[0]!.timestamp, BigInt(Date.UTC(2000, 9, 10, 20, 55, 36)) * 1_000_000n),
    },
    {
      why: 'timestamp tries fallback_formats and keeps nanoseconds',
      stages: `stage.json {
  expressions = { t = "" }
}
stage.timestamp {
  source           = "t"
  format           = "RFC3339"
  fallback_formats = ["UnixMs"]
}`,
      input: ['{"t":"2024-03-01T10:00:00.123456789Z"}', '{"t":"1709287200123"}'],
      check: ({ out }) => {
        assert.equal(out[0]!.timestamp, 1709287200_123456789n);
        assert.equal(out[1]!.timestamp, 1709287200_123_000_000n);
      },
    },
    {
      why: 'timestamp fudges an unparsable time to 1ns after the last one of the stream',
      stages: `stage.json {
  expressions = { t = "" }
}
stage.timestamp {
  source = "t"
  format = "Unix"
}`,
      input: ['{"t":"1700000000"}', '{"t":"garbage"}'],
      check: ({ out }) => assert.equal(out[1]!.timestamp, 1_700_000_000_000_000_001n),
    },
    {
      why: 'output replaces the line with an extracted value',
      stages: 'stage.json {\n expressions = { msg = "" }\n}\nstage.output {\n source = "msg"\n}',
      input: ['{"msg":"just this"}'],
      check: ({ out }) => assert.equal(out[0]!.line, 'just this'),
    },
    {
      why: 'drop by expression on the line, counted with the reason given',
      stages: 'stage.drop {\n expression = "healthz"\n drop_counter_reason = "noise"\n}',
      input: ['GET /healthz', 'GET /api'],
      check: ({ out, dropped }) => {
        assert.deepEqual(
          out.map((e) => e.line),
          ['GET /api'],
        );
        assert.deepEqual(dropped, ['noise']);
      },
    },
    {
      why: 'drop by value of an extracted field; entries without the field pass',
      stages:
        'stage.logfmt {\n mapping = { level = "" }\n}\nstage.drop {\n source = "level"\n value = "debug"\n}',
      input: ['level=debug a', 'level=info b', 'c'],
      check: ({ out, dropped }) => {
        assert.deepEqual(
          out.map((e) => e.line),
          ['level=info b', 'c'],
        );
        assert.deepEqual(dropped, ['drop_stage']);
      },
    },
    {
      why: 'drop older_than and longer_than',
      stages:
        'stage.drop {\n older_than = "1h"\n drop_counter_reason = "old"\n}\nstage.drop {\n longer_than = "8B"\n drop_counter_reason = "long"\n}',
      input: [
        { ...entry('old'), timestamp: BigInt(Date.now() - 7_200_000) * 1_000_000n },
        { ...entry('new'), timestamp: BigInt(Date.now()) * 1_000_000n },
        { ...entry('new but too long'), timestamp: BigInt(Date.now()) * 1_000_000n },
      ],
      check: ({ out, dropped }) => {
        assert.deepEqual(
          out.map((e) => e.line),
          ['new'],
        );
        assert.deepEqual(dropped, ['old', 'long']);
      },
    },
    {
      why: 'match runs nested stages only on entries its selector and line filter match',
      stages: `stage.match {
  selector = "{job=\\"test\\"} |= \\"error\\" != \\"ignore\\""
  stage.static_labels {
    values = { alert = "yes" }
  }
}`,
      input: ['an error', 'an error to ignore', 'fine'],
      check: ({ out }) => {
        const byLine = Object.fromEntries(out.map((e) => [e.line, e.labels.alert]));
        assert.deepEqual(byLine, {
          'an error': 'yes',
          'an error to ignore': undefined,
          fine: undefined,
        });
      },
    },
    {
      why: 'match with action drop and a regex matcher',
      stages: `stage.match {
  selector = "{job=~\\"te.t\\", app!=\\"keep\\"}"
  action   = "drop"
}`,
      input: ['a', entry('b', { job: 'test', app: 'keep' })],
      check: ({ out, dropped }) => {
        assert.deepEqual(
          out.map((e) => e.line),
          ['b'],
        );
        assert.deepEqual(dropped, ['match_stage']);
      },
    },
    {
      why: 'template with functions, pipes and if/else over extracted values',
      stages: `stage.logfmt {
  mapping = { level = "", app = "" }
}
stage.template {
  source   = "level"
  template = "{{ if eq .Value \\"warn\\" }}WARNING{{ else }}{{ .Value | ToUpper }}{{ end }}-{{ .app }}"
}
stage.template {
  source   = "app"
  template = "{{ Replace .Value \\"-\\" \\"_\\" -1 }}{{- \\" \\" -}} x"
}`,
      input: ['level=warn app=my-app', 'level=info app=b'],
      check: ({ out }) => {
        assert.equal(out[0]!.extracted.level, 'WARNING-my-app');
        assert.equal(out[0]!.extracted.app, 'my_app x');
        assert.equal(out[1]!.extracted.level, 'INFO-b');
      },
    },
    {
      why: 'template regexReplaceAll and Sprig-style default',
      stages: `stage.template {
  source   = "out"
  template = "{{ regexReplaceAll \\"([0-9]+)\\" .Entry \\"<$1>\\" }} {{ default \\"none\\" .missing }}"
}`,
      input: ['id 42 and 7'],
      check: ({ out }) => assert.equal(out[0]!.extracted.out, 'id <42> and <7> none'),
    },
    {
      why: 'label_drop and label_keep',
      stages:
        'stage.static_labels {\n values = { a = "1", b = "2", c = "3" }\n}\nstage.label_drop {\n values = ["a"]\n}\nstage.label_keep {\n values = ["b", "job"]\n}',
      input: ['x'],
      check: ({ out }) => assert.deepEqual(out[0]!.labels, { job: 'test', b: '2' }),
    },
    {
      why: 'structured_metadata moves extracted values into metadata, not labels',
      stages:
        'stage.json {\n expressions = { trace_id = "" }\n}\nstage.structured_metadata {\n values = { trace_id = "" }\n}',
      input: ['{"trace_id":"abc"}'],
      check: ({ out }) => {
        assert.deepEqual(out[0]!.metadata, { trace_id: 'abc' });
        assert.deepEqual(out[0]!.labels, { job: 'test' });
      },
    },
  ];
  for (const c of cases) it(c.why, () => c.check(run(pipeline(c.stages), c.input)));

  it('multiline joins continuation lines per stream and releases on the next first line', () => {
    const p = pipeline('stage.multiline {\n firstline = "^\\\\d{4}-"\n max_wait_time = "1s"\n}');
    const { out } = run(p, [
      '2024-01-01 start A',
      '  at frame 1',
      entry('2024-01-01 other stream', { job: 'other' }),
      '  at frame 2',
      '2024-01-01 start B',
    ]);
    assert.deepEqual(
      out.map((e) => e.line),
      ['2024-01-01 start A\n  at frame 1\n  at frame 2'],
    );
    const flushed = p.flush(Date.now() + 1000, () => {});
    assert.deepEqual(flushed.map((e) => e.line).sort(), [
      '2024-01-01 other stream',
      '2024-01-01 start B',
    ]);
  });

  const bad: [string, RegExp][] = [
    ['stage.regex {\n expression = "(?P<x"\n}', /invalid stage\.regex block: error parsing regexp/],
    [
      'stage.timestamp {\n source = "t"\n format = "RFC3339"\n location = "Mars/Base"\n}',
      /unknown time zone Mars\/Base/,
    ],
    ['stage.match {\n selector = "job=x"\n}', /invalid stage\.match block: parse error/],
    [
      'stage.template {\n source = "a"\n template = "{{ nosuch .Value }}"\n}',
      /function "nosuch" not defined/,
    ],
    ['stage.static_labels {\n values = { "bad-name" = "x" }\n}', /invalid label name: bad-name/],
  ];
  for (const [stages, message] of bad) {
    it(`refuses ${stages.split('\n')[0]} with a clear message`, () => {
      assert.throws(() => pipeline(stages), message);
    });
  }
});

describe('loki.process stages for container formats and masking', () => {
  it('docker turns json-file lines into their log, stream label and time', () => {
    const { out } = run(pipeline('stage.docker {}'), [
      '{"log":"hello\\n","stream":"stderr","time":"2024-03-01T10:00:00.5Z"}',
      'not json',
    ]);
    assert.equal(out[0]!.line, 'hello\n');
    assert.equal(out[0]!.labels.stream, 'stderr');
    assert.equal(out[0]!.timestamp, 1709287200_500_000_000n);
    assert.equal(out[1]!.line, 'not json');
  });

  it('cri parses the CRI format and joins partial lines of a stream', () => {
    const p = pipeline('stage.cri {}');
    const { out } = run(p, [
      '2024-03-01T10:00:00.000000001Z stdout P part one, ',
      '2024-03-01T10:00:00.000000002Z stdout F part two',
      '2024-03-01T10:00:01Z stderr F whole',
    ]);
    assert.deepEqual(
      out.map((e) => [e.line, e.labels.stream, e.timestamp]),
      [
        ['part one, part two', 'stdout', 1709287200_000_000_001n],
        ['whole', 'stderr', 1709287201_000_000_000n],
      ],
    );
  });

  it('replace masks captured groups with a template, in the line or a source', () => {
    const { out } = run(
      pipeline(`stage.replace {
  expression = "password=(?P<pw>\\\\S+)"
  replace    = "****"
}
stage.replace {
  expression = "user=(\\\\w+)"
  replace    = "{{ .Value | ToUpper }}"
}`),
      ['login user=ann password=hunter2 ok'],
    );
    assert.equal(out[0]!.line, 'login user=ANN password=**** ok');
    assert.equal(out[0]!.extracted.pw, 'hunter2');
  });

  it('decolorize strips ANSI colours; pack folds labels into the line', () => {
    const { out } = run(
      pipeline(
        'stage.decolorize {}\nstage.static_labels {\n values = { pod = "p1" }\n}\nstage.pack {\n labels = ["pod"]\n ingest_timestamp = false\n}',
      ),
      ['\x1b[31mred\x1b[0m text'],
    );
    assert.equal(out[0]!.line, '{"pod":"p1","_entry":"red text"}');
    assert.deepEqual(out[0]!.labels, { job: 'test' });
    assert.equal(out[0]!.timestamp, T0);
  });

  it('sampling keeps everything at rate 1 and nothing at rate 0', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `l${i}`);
    assert.equal(run(pipeline('stage.sampling {\n rate = 1\n}'), lines).out.length, 50);
    const none = run(pipeline('stage.sampling {\n rate = 0\n}'), lines);
    assert.equal(none.out.length, 0);
    assert.equal(none.dropped[0], 'sampling_stage');
  });
});
