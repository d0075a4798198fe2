import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { encodeProtoPush } from '../../../src/logs/push/index.js';
import { nowNs, readAll, startLogs, type RunningLogs } from '../role/logs-fixture.js';

function jsonPush(streams: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams }),
  };
}

describe('push API', () => {
  let logs: RunningLogs;
  const t0 = nowNs(-60_000);
  const ts = (i: number): string => (t0 + BigInt(i) * 1_000_000n).toString();

  before(async () => {
    logs = await startLogs(
      [
        'auth_enabled: false',
        'limits_config:',
        '  max_line_size: 100',
        '  allow_structured_metadata: false',
        '  discover_service_name: []',
      ].join('\n'),
    );
  });
  after(() => logs.close());

  const push = (init: RequestInit, path = '/loki/api/v1/push'): Promise<Response> =>
    fetch(logs.url + path, init);

  it('stores a JSON push and answers 204', async () => {
    const res = await push(
      jsonPush([{ stream: { job: 'base', b: '2', a: '1' }, values: [[ts(1), 'first line']] }]),
    );
    assert.equal(res.status, 204);
    const got = await readAll(logs.role, { matchers: [{ type: '=', name: 'job', value: 'base' }] });
    assert.deepEqual(
      got.map((e) => [e.labels, e.line]),
      [[{ a: '1', b: '2', job: 'base' }, 'first line']],
    );
  });

  it('accepts gzip and deflate bodies, protobuf+snappy, and the legacy path', async () => {
    const body = JSON.stringify({
      streams: [{ stream: { job: 'enc' }, values: [[ts(2), 'gzipped']] }],
    });
    assert.equal(
      (
        await push({
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: zlib.gzipSync(body),
        })
      ).status,
      204,
    );
    assert.equal(
      (
        await push({
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
          body: zlib.deflateSync(body.replace('gzipped', 'deflated')),
        })
      ).status,
      204,
    );
    const proto = encodeProtoPush([
      { labels: '{job="enc", kind="proto"}', entries: [{ timestamp: t0 + 3n, line: 'protobuf' }] },
    ]);
    assert.equal(
      (
        await push(
          { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: proto },
          '/api/prom/push',
        )
      ).status,
      204,
    );
    const got = await readAll(logs.role, { matchers: [{ type: '=', name: 'job', value: 'enc' }] });
    assert.deepEqual(got.map((e) => e.line).sort(), ['deflated', 'gzipped', 'protobuf']);
  });

  const long = 'x'.repeat(101);
  const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${i}`, 'v']));
  const badCases: { why: string; init: RequestInit; status: number; message: string | RegExp }[] = [
    {
      why: 'malformed JSON',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"streams":[',
      },
      status: 400,
      message: /JSON/,
    },
    {
      why: 'timestamp that is not a number',
      init: jsonPush([{ stream: { job: 'bad' }, values: [['yesterday', 'x']] }]),
      status: 400,
      message: 'strconv.ParseInt: parsing "yesterday": invalid syntax',
    },
    {
      why: 'invalid label name',
      init: jsonPush([{ stream: { '1job': 'bad' }, values: [[ts(5), 'x']] }]),
      status: 400,
      message:
        "Error parsing labels '{1job=\"bad\"}' with error: 1:2: parse error: unexpected character inside braces: '1'",
    },
    {
      why: 'no labels',
      init: jsonPush([{ stream: {}, values: [[ts(5), 'x']] }]),
      status: 400,
      message: 'error at least one label pair is required per stream',
    },
    {
      why: 'more than 15 label names',
      init: jsonPush([{ stream: { job: 'bad', ...sixteen }, values: [[ts(5), 'x']] }]),
      status: 400,
      message: /^entry for stream '\{job="bad", l0="v", .*' has 17 label names; limit 15$/,
    },
    {
      why: 'line longer than max_line_size',
      init: jsonPush([{ stream: { job: 'bad' }, values: [[ts(5), long]] }]),
      status: 400,
      message:
        "Max entry size '100' bytes exceeded for stream '{job=\"bad\"}' while adding an entry with length '101' bytes",
    },
    {
      why: 'timestamp too far in the future',
      init: jsonPush([{ stream: { job: 'bad' }, values: [['4102444800000000000', 'x']] }]),
      status: 400,
      message: 'entry for stream \'{job="bad"}\' has timestamp too new: 2100-01-01T00:00:00Z',
    },
    {
      why: 'structured metadata while allow_structured_metadata is false',
      init: jsonPush([{ stream: { job: 'bad' }, values: [[ts(5), 'x', { trace_id: 'abc' }]] }]),
      status: 400,
      message:
        'stream \'{job="bad"}\' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it.',
    },
    {
      why: 'corrupt protobuf',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.from('not snappy at all'),
      },
      status: 400,
      message: /snappy|proto/,
    },
  ];

  for (const c of badCases) {
    it(`refuses ${c.why} with Loki's status and message`, async () => {
      const before = await readAll(logs.role);
      const res = await push(c.init);
      assert.equal(res.status, c.status);
      const text = (await res.text()).replace(/\n$/, '');
      if (typeof c.message === 'string') assert.equal(text, c.message);
      else assert.match(text, c.message);
      const afterwards = await readAll(logs.role);
      assert.deepEqual(afterwards, before, 'nothing stored, nothing harmed');
    });
  }

  it('keeps the valid streams of a partly invalid push, as Loki does', async () => {
    const res = await push(
      jsonPush([
        {
          stream: { job: 'partial' },
          values: [
            [ts(6), 'kept'],
            [ts(7), long],
          ],
        },
        { stream: { '': 'x' }, values: [[ts(6), 'dropped']] },
      ]),
    );
    assert.equal(res.status, 400);
    const got = await readAll(logs.role, {
      matchers: [{ type: '=', name: 'job', value: 'partial' }],
    });
    assert.deepEqual(
      got.map((e) => e.line),
      ['kept'],
    );
  });

  it('skips streams without entries and answers 204 to an empty push', async () => {
    assert.equal((await push(jsonPush([]))).status, 204);
    assert.equal((await push(jsonPush([{ stream: { job: 'empty' }, values: [] }]))).status, 204);
  });

  it('counts received and discarded lines under Loki metric names', async () => {
    const text = await (await fetch(logs.url + '/metrics')).text();
    assert.match(text, /^loki_distributor_lines_received_total\{tenant="fake"\} \d+/m);
    assert.match(
      text,
      /^loki_discarded_samples_total\{reason="line_too_long",tenant="fake"\} \d+/m,
    );
  });
});

describe('push API limits', () => {
  it('answers 429 past the ingestion rate and burst, storing nothing of that push', async () => {
    const logs = await startLogs(
      'auth_enabled: false\nlimits_config:\n  ingestion_rate_mb: 0.001\n  ingestion_burst_size_mb: 0.002\n',
    );
    try {
      const line = 'y'.repeat(1500);
      const body = (i: number): RequestInit =>
        jsonPush([{ stream: { job: 'rate' }, values: [[(nowNs() + BigInt(i)).toString(), line]] }]);
      assert.equal((await fetch(logs.url + '/loki/api/v1/push', body(1))).status, 204);
      const res = await fetch(logs.url + '/loki/api/v1/push', body(2));
      assert.equal(res.status, 429);
      assert.equal(
        (await res.text()).trim(),
        "Ingestion rate limit exceeded for user fake (limit: 1048 bytes/sec) while attempting to ingest '1' lines totaling '1500' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
      );
      assert.equal((await readAll(logs.role)).length, 1);
    } finally {
      await logs.close();
    }
  });

  it('requires X-Scope-OrgID when auth_enabled is true', async () => {
    const logs = await startLogs('auth_enabled: true\n');
    try {
      const init = jsonPush([{ stream: { job: 'a' }, values: [[nowNs().toString(), 'x']] }]);
      const res = await fetch(logs.url + '/loki/api/v1/push', init);
      assert.equal(res.status, 401);
      assert.equal(await res.text(), 'no org id\n');
      const ok = await fetch(logs.url + '/loki/api/v1/push', {
        ...init,
        headers: { 'content-type': 'application/json', 'x-scope-orgid': 'team-a' },
      });
      assert.equal(ok.status, 204);
    } finally {
      await logs.close();
    }
  });
});
