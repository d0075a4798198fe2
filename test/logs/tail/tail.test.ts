import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { nowNs, startLogs, type RunningLogs } from '../role/logs-fixture.js';

interface TailMessage {
  streams?: { stream: Record<string, string>; values: [string, string][] }[];
  dropped_entries?: unknown[];
}

/** A tail client that collects messages. */
function tail(
  url: string,
  params: Record<string, string>,
): Promise<{
  ws: WebSocket;
  messages: TailMessage[];
  next(): Promise<TailMessage>;
}> {
  const qs = new URLSearchParams(params).toString();
  const ws = new WebSocket(`${url.replace('http', 'ws')}/loki/api/v1/tail?${qs}`);
  const messages: TailMessage[] = [];
  let waiter: ((m: TailMessage) => void) | undefined;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as TailMessage;
    messages.push(m);
    waiter?.(m);
  });
  const next = (): Promise<TailMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no tail message')), 5000);
      waiter = (m) => {
        clearTimeout(timer);
        waiter = undefined;
        resolve(m);
      };
    });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, messages, next }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function push(url: string, job: string, lines: string[], tsNs = nowNs()): Promise<void> {
  const res = await fetch(url + '/loki/api/v1/push', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      streams: [
        { stream: { job }, values: lines.map((l, i) => [(tsNs + BigInt(i)).toString(), l]) },
      ],
    }),
  });
  assert.equal(res.status, 204);
}

describe('tail over WebSocket', () => {
  let logs: RunningLogs;
  before(async () => {
    logs = await startLogs('auth_enabled: false\nlimits_config:\n  discover_service_name: []\n');
  });
  after(() => logs.close());

  it('sends the latest history first, then live entries of matching streams only', async () => {
    await push(logs.url, 'tailed', ['old 1', 'old 2', 'old 3'], nowNs(-5000));
    const client = await tail(logs.url, { query: '{job="tailed"}', limit: '2' });
    const history = await client.next();
    assert.deepEqual(
      history.streams!.map((s) => s.stream),
      [{ job: 'tailed' }],
    );
    assert.deepEqual(
      history.streams![0]!.values.map(([, l]) => l),
      ['old 2', 'old 3'],
    );
    assert.equal(history.dropped_entries, undefined);
    await push(logs.url, 'other', ['not for this tail']);
    await push(logs.url, 'tailed', ['live 1', 'live 2']);
    const live = await client.next();
    assert.deepEqual(
      live.streams!.flatMap((s) => s.values.map(([, l]) => l)),
      ['live 1', 'live 2'],
    );
    client.ws.close();
  });

  it('runs the query pipeline on live entries (line filter, parser, label filter, format)', async () => {
    const client = await tail(logs.url, {
      query:
        '{job="piped"} |= "status" | logfmt | status >= 500 | line_format "{{.status}} {{.path}}"',
    });
    await push(logs.url, 'piped', [
      'status=200 path=/ok',
      'no match here',
      'status=503 path=/down',
      'status=500 path=/err',
    ]);
    const msg = await client.next();
    const got = msg.streams!.flatMap((s) => s.values.map(([, l]) => l));
    assert.deepEqual(got, ['503 /down', '500 /err']);
    assert.equal(msg.streams![0]!.stream.status, '503');
    client.ws.close();
  });

  it('holds entries for delay_for seconds', async () => {
    const client = await tail(logs.url, { query: '{job="delayed"}', delay_for: '1' });
    const start = Date.now();
    await push(logs.url, 'delayed', ['late']);
    const msg = await client.next();
    assert.ok(Date.now() - start >= 900, 'not sent before the delay');
    assert.equal(msg.streams![0]!.values[0]![1], 'late');
    client.ws.close();
  });

  const refused: { why: string; params: Record<string, string> }[] = [
    { why: 'a selector matching everything', params: { query: '{job=~".*"}' } },
    { why: 'delay_for over 5 seconds', params: { query: '{job="a"}', delay_for: '6' } },
    {
      why: 'a limit over max_entries_limit_per_query',
      params: { query: '{job="a"}', limit: '5001' },
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.why} with 400 before upgrading`, async () => {
      await assert.rejects(tail(logs.url, c.params), /HTTP 400/);
    });
  }
});
