import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startApi } from './harness.js';

test('admin API with --web.enable-admin-api: delete_series, clean_tombstones, snapshot', async () => {
  const h = await startApi({ enableAdminApi: true });
  try {
    const app = h.store.appender();
    for (let i = 0; i < 10; i++) {
      app.append({ __name__: 'm', k: 'a' }, i * 1000, i);
      app.append({ __name__: 'm', k: 'b' }, i * 1000, i);
    }
    await app.commit();
    const post = (p: string, form = ''): Promise<Response> =>
      fetch(h.base + p, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    let res = await post('/api/v1/admin/tsdb/delete_series');
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      status: 'error',
      errorType: 'bad_data',
      error: 'no match[] parameter provided',
    });
    res = await post('/api/v1/admin/tsdb/delete_series', 'match%5B%5D=m{k="a"}&start=2&end=5');
    assert.equal(res.status, 204);
    const q = await fetch(`${h.base}/api/v1/query_range?query=m&start=0&end=9&step=1`);
    const body = (await q.json()) as {
      data: { result: { metric: { k: string }; values: [number, string][] }[] };
    };
    const a = body.data.result.find((r) => r.metric.k === 'a')!;
    // Samples at 2..5 s are gone; lookback fills steps from the sample at 1 s.
    assert.deepEqual(
      a.values.map(([t, v]) => `${t}:${v}`),
      ['0:0', '1:1', '2:1', '3:1', '4:1', '5:1', '6:6', '7:7', '8:8', '9:9'],
    );
    res = await post('/api/v1/admin/tsdb/clean_tombstones');
    assert.equal(res.status, 204);
    res = await post('/api/v1/admin/tsdb/snapshot', 'skip_head=maybe');
    assert.equal(res.status, 400);
    res = await post('/api/v1/admin/tsdb/snapshot');
    assert.equal(res.status, 200);
    const snap = (await res.json()) as { status: string; data: { name: string } };
    assert.equal(snap.status, 'success');
    assert.ok(fs.existsSync(path.join(h.store.dir, 'snapshots', snap.data.name)));
  } finally {
    await h.close();
  }
});
