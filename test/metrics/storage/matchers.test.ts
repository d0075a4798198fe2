import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { LabelMatcher } from '../../../src/common/labels.js';
import { openMetricsStore, type MetricsStore } from '../../../src/metrics/storage/index.js';
import { metric, tempDir } from './helpers.js';

const N = 100_000;

async function build(): Promise<{ store: MetricsStore; dir: string }> {
  const dir = tempDir('matchers');
  const store = await openMetricsStore({ dir, retentionMs: 0 });
  const app = store.appender();
  for (let i = 0; i < N; i++) {
    const labels = metric(i % 2 ? 'odd_total' : 'even_total', {
      instance: `host-${i % 100}`,
      id: String(i),
    });
    if (i % 10 === 0) labels.env = 'prod';
    app.append(labels, 1000, i);
  }
  await app.commit();
  return { store, dir };
}

const m = (type: LabelMatcher['type'], name: string, value: string): LabelMatcher => ({
  type,
  name,
  value,
});

const cases: { why: string; matchers: LabelMatcher[]; count: number }[] = [
  { why: 'equality', matchers: [m('=', 'instance', 'host-7')], count: 1000 },
  {
    why: 'two equalities intersect',
    matchers: [m('=', '__name__', 'odd_total'), m('=', 'instance', 'host-7')],
    count: 1000,
  },
  { why: 'no such value', matchers: [m('=', 'instance', 'nope')], count: 0 },
  { why: 'regex alternation', matchers: [m('=~', 'instance', 'host-1|host-2')], count: 2000 },
  { why: 'regex is anchored', matchers: [m('=~', 'instance', 'host-1')], count: 1000 },
  {
    why: 'negative equality',
    matchers: [m('=', '__name__', 'even_total'), m('!=', 'instance', 'host-0')],
    count: 49_000,
  },
  {
    why: 'negative regex',
    matchers: [m('=', '__name__', 'even_total'), m('!~', 'instance', 'host-.0')],
    count: 41_000,
  },
  {
    why: 'label absent: env=""',
    matchers: [m('=', '__name__', 'even_total'), m('=', 'env', '')],
    count: 40_000,
  },
  { why: 'label present: env!=""', matchers: [m('!=', 'env', '')], count: 10_000 },
  {
    why: 'regex matching empty includes absent',
    matchers: [m('=', 'instance', 'host-0'), m('=~', 'env', 'prod|')],
    count: 1000,
  },
  { why: 'regex .+ requires presence', matchers: [m('=~', 'env', '.+')], count: 10_000 },
  { why: 'all series by name regex', matchers: [m('=~', '__name__', '.+_total')], count: N },
];

test('postings resolve =, !=, =~, !~ like Prometheus, fast at 100k series', async (t) => {
  const { store, dir } = await build();
  const q = await store.querier(0, 2000);
  for (const c of cases) {
    await t.test(c.why, async () => {
      const started = performance.now();
      const got = await q.select(c.matchers, { startMs: 0, endMs: 2000, func: 'series' });
      const ms = performance.now() - started;
      assert.equal(got.length, c.count);
      // Generous bound for shared CI cores; Prometheus's own regex over all series took ~43 ms here.
      assert.ok(ms < 5000, `${c.why}: ${ms.toFixed(1)} ms`);
    });
  }
  const names = await q.labelValues('__name__');
  assert.deepEqual(names, ['even_total', 'odd_total']);
  assert.deepEqual(await q.labelNames([m('=', 'env', 'prod')]), [
    '__name__',
    'env',
    'id',
    'instance',
  ]);
  const sorted = await q.select([m('=', 'instance', 'host-3')]);
  const ids = sorted.map((s) => s.labels.__name__ + s.labels.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    'sorted by labels',
  );
  await q.close();
  await store.close();
  fs.rmSync(dir, { recursive: true });
});

test('regex matchers follow Go RE2 as Prometheus 2.x: `.` does not match a newline', async () => {
  const dir = tempDir('matchers-newline');
  const store = await openMetricsStore({ dir, retentionMs: 0 });
  const app = store.appender();
  app.append(metric('msg', { text: 'a\nb' }), 1000, 1);
  app.append(metric('msg', { text: 'a-b' }), 1000, 2);
  await app.commit();
  const q = await store.querier(0, 2000);
  const texts = async (matcher: LabelMatcher) =>
    (await q.select([m('=', '__name__', 'msg'), matcher])).map((s) => s.labels.text);
  assert.deepEqual(await texts(m('=~', 'text', 'a.b')), ['a-b']);
  assert.deepEqual(await texts(m('!~', 'text', 'a.b')), ['a\nb']);
  assert.deepEqual(await texts(m('=~', 'text', '(?s)a.b')), ['a\nb', 'a-b']);
  assert.deepEqual(await texts(m('=~', 'text', 'a\\sb')), ['a\nb']);
  await q.close();
  await store.close();
  fs.rmSync(dir, { recursive: true });
});
