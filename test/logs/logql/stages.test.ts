import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Labels } from '../../../src/common/labels.js';
import { compileLineFilter } from '../../../src/logs/logql/index.js';
import { streamPipeline } from '../../../src/logs/logql/pipeline.js';
import { parseSyntax } from '../../../src/logs/logql/parser.js';

const STREAM: Labels = { app: 'api', level: 'info' };

/** Runs `| stages` of a query over one line of the stream above. */
function run(pipeline: string, line: string, labels: Labels = STREAM) {
  const expr = parseSyntax(`{app="api"} ${pipeline}`);
  if (expr.kind !== 'log') throw new Error('not a log query');
  const p = streamPipeline(expr.matchers, expr.stages);
  // Filters pushed down to storage are applied here as storage would.
  for (const f of p.filters) {
    const test = compileLineFilter({
      type: 'lineFilter',
      op: f.op,
      values: f.values.map((value) => ({ ip: false, value })),
    });
    if (!test(line)) return null;
  }
  return p.process({ labels, timestamp: 1700000000123456789n, line });
}

interface Case {
  name: string;
  pipeline: string;
  line: string;
  /** Expected extra labels (beyond the stream's), or null when the entry is dropped. */
  labels: Labels | null;
  /** Stream labels the pipeline removes. */
  without?: string[];
  out?: string;
}

const cases: Case[] = [
  // Line filters.
  { name: 'contains', pipeline: '|= "err"', line: 'an error', labels: {} },
  { name: 'not contains', pipeline: '!= "err"', line: 'an error', labels: null },
  { name: 'regex unanchored', pipeline: '|~ "e.r"', line: 'an error', labels: {} },
  { name: 'regex (?i)', pipeline: '|~ "(?i)ERROR"', line: 'an error', labels: {} },
  { name: 'or alternatives', pipeline: '|= "x" or "err"', line: 'an error', labels: {} },
  { name: '!= "" drops every line', pipeline: '!= ""', line: 'x', labels: null },
  { name: 'ip cidr', pipeline: '|= ip("10.0.0.0/8")', line: 'from 10.1.2.3 port 22', labels: {} },
  {
    name: 'ip range miss',
    pipeline: '|= ip("10.0.0.0-10.0.0.9")',
    line: 'from 10.0.0.10',
    labels: null,
  },
  {
    name: 'ipv6 cidr',
    pipeline: '|= ip("2001:db8::/32")',
    line: 'peer 2001:db8::1 ok',
    labels: {},
  },
  {
    name: 'pattern filter',
    pipeline: '|> "<_> failed for <_>"',
    line: 'sshd failed for root',
    labels: {},
  },
  {
    name: 'pattern filter must end',
    pipeline: '|> "<_> failed"',
    line: 'x failed for root',
    labels: null,
  },
  // json.
  {
    name: 'json flattens, keeps number text, skips null and arrays, suffixes clashes',
    pipeline: '| json',
    line: '{"a":{"b-c":1.5e-7,"d":true},"level":"warn","n":null,"arr":[1],"s":"x\\"y"}',
    labels: { a_b_c: '1.5e-7', a_d: 'true', level_extracted: 'warn', s: 'x"y' },
  },
  {
    name: 'json error',
    pipeline: '| json',
    line: 'not json',
    labels: {
      __error__: 'JSONParserErr',
      __error_details__: "Value looks like object, but can't find closing '}' symbol",
    },
  },
  {
    name: 'json parameters, arrays as JSON text, missing as empty',
    pipeline:
      '| json q="job.queue", t="job.tags", first="job.tags[0]", h=`["http.status"]`, none="x.y"',
    line: '{"job":{"queue":"billing","tags":["eu","bulk"]},"http.status":200}',
    labels: { q: 'billing', t: '["eu","bulk"]', first: 'eu', h: '200', none: '' },
  },
  // logfmt.
  {
    name: 'logfmt skips empty values',
    pipeline: '| logfmt',
    line: 'a=1 b= c="x y" level=debug d',
    labels: { a: '1', c: 'x y', level_extracted: 'debug' },
  },
  {
    name: 'logfmt --keep-empty',
    pipeline: '| logfmt --keep-empty',
    line: 'a=1 b= d',
    labels: { a: '1', b: '', d: '' },
  },
  {
    name: 'logfmt --strict stops at the first error',
    pipeline: '| logfmt --strict',
    line: 'a=1 b="x c=2',
    labels: {
      a: '1',
      __error__: 'LogfmtParserErr',
      __error_details__: 'logfmt syntax error at pos 13 on line 1: unterminated quoted value',
    },
  },
  {
    name: 'logfmt parameters',
    pipeline: '| logfmt lvl="level", d="duration", status',
    line: 'level=info duration=5ms status=200 other=x',
    labels: { lvl: 'info', d: '5ms', status: '200' },
  },
  // regexp, pattern, unpack.
  {
    name: 'regexp named captures',
    pipeline: '| regexp `(?P<method>\\w+) (?P<path>\\S+)`',
    line: 'GET /api',
    labels: { method: 'GET', path: '/api' },
  },
  {
    name: 'pattern captures',
    pipeline: '| pattern `<ip> - <_> "<method> <uri> <_>"`',
    line: '10.0.0.1 - - "GET /x HTTP/1.1"',
    labels: { ip: '10.0.0.1', method: 'GET', uri: '/x' },
  },
  {
    name: 'unpack replaces the line with _entry',
    pipeline: '| unpack',
    line: '{"_entry":"hello","pod":"p1","n":3}',
    labels: { pod: 'p1' },
    out: 'hello',
  },
  // Label filters.
  {
    name: 'numeric',
    pipeline: '| logfmt | status >= 500',
    line: 'status=503',
    labels: { status: '503' },
  },
  { name: 'numeric false', pipeline: '| logfmt | status >= 500', line: 'status=404', labels: null },
  { name: 'numeric on missing label', pipeline: '| status > 1', line: 'x', labels: null },
  {
    name: 'duration conversion error marks the entry',
    pipeline: '| logfmt | d > 1s',
    line: 'd=n/a',
    labels: {
      d: 'n/a',
      __error__: 'LabelFilterErr',
      __error_details__: 'time: invalid duration "n/a"',
    },
  },
  {
    name: 'bytes',
    pipeline: '| logfmt | size > 20KB',
    line: 'size=24.8KiB',
    labels: { size: '24.8KiB' },
  },
  {
    name: 'and/or with parentheses',
    pipeline: '| logfmt | (s=429 or s=503) and u=~"u-0.*"',
    line: 's=503 u=u-01',
    labels: { s: '503', u: 'u-01' },
  },
  {
    name: 'Loki 3.0 turns `e.*` into a substring test',
    pipeline: '| logfmt | q=~"e.*"',
    line: 'q=webhooks',
    labels: { q: 'webhooks' },
  },
  {
    name: 'literal regex keeps whole-value semantics',
    pipeline: '| logfmt | q=~"web"',
    line: 'q=webhooks',
    labels: null,
  },
  {
    name: '__error__ filter drops errors',
    pipeline: '| json | __error__=""',
    line: 'oops',
    labels: null,
  },
  // Formatting.
  {
    name: 'line_format',
    pipeline: '| logfmt | line_format "{{.method}} {{.status | ToUpper}}"',
    line: 'method=get status=ok',
    labels: { method: 'get', status: 'ok' },
    out: 'get OK',
  },
  {
    // Templates see the labels as they are when the first template runs: after the rename.
    name: 'label_format rename then template',
    pipeline: '| logfmt | label_format m=method, both="{{.method}}-{{.level}}"',
    line: 'method=get',
    labels: { m: 'get', both: '-info' },
  },
  {
    name: 'drop with matcher and keep',
    pipeline: '| logfmt | drop level="info", x | keep a, app',
    line: 'a=1 b=2 x=3',
    labels: { a: '1' },
    without: ['level'],
  },
  {
    name: 'decolorize',
    pipeline: '| decolorize',
    line: '\u001b[32mINFO\u001b[0m ok',
    labels: {},
    out: 'INFO ok',
  },
];

test('pipeline stages, table-driven', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = run(c.pipeline, c.line);
      if (c.labels === null) {
        assert.equal(got, null);
        return;
      }
      assert.ok(got, 'entry was dropped');
      const expected: Labels = { ...STREAM, ...c.labels };
      for (const name of c.without ?? []) delete expected[name];
      assert.deepEqual(got.labels, Object.fromEntries(Object.entries(expected).sort()));
      if (c.out !== undefined) assert.equal(got.line, c.out);
    });
  }
});
