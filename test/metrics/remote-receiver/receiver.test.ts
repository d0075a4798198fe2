import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import {
  encodeWriteRequest,
  type WriteSeries,
} from '../../../src/metrics/remote/receiver/index.js';
import { isStaleMarker, writeStaleMarker } from '../../../src/metrics/queryable.js';
import { startApi } from '../api/harness.js';

function body(series: WriteSeries[]): Buffer {
  return snappy.compressSync(encodeWriteRequest({ timeseries: series })) as Buffer;
}

function post(base: string, data: Buffer): Promise<Response> {
  return fetch(`${base}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: data,
  });
}

test('remote write receiver is 404 with Prometheus text unless enabled', async () => {
  const h = await startApi({ enableRemoteWriteReceiver: false });
  try {
    const res = await post(h.base, body([]));
    assert.equal(res.status, 404);
    assert.equal(
      await res.text(),
      'remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n',
    );
  } finally {
    await h.close();
  }
});

test('remote write: 204, samples stored (stale markers intact), OOO and garbage rejected with 400', async () => {
  const h = await startApi();
  try {
    const values = Float64Array.from([1, 2, 0]);
    writeStaleMarker(values, 2);
    const ok = await post(
      h.base,
      body([
        { labels: { __name__: 'rw', a: 'x' }, timestamps: [1000, 2000, 3000], values },
        { labels: { __name__: 'bad-name' }, timestamps: [1000], values: Float64Array.from([1]) },
      ]),
    );
    assert.equal(ok.status, 204);
    const q = await h.store.querier(0, 10_000);
    const got = await q.select([{ type: '=~', name: '__name__', value: '.+' }]);
    await q.close();
    assert.equal(got.length, 1, 'series with an invalid metric name is skipped');
    assert.deepEqual([...got[0]!.timestamps], [1000, 2000, 3000]);
    assert.equal(isStaleMarker(got[0]!.values, 2), true);

    const ooo = await post(
      h.base,
      body([
        { labels: { __name__: 'rw', a: 'x' }, timestamps: [500], values: Float64Array.from([1]) },
      ]),
    );
    assert.equal(ooo.status, 400);
    assert.equal(await ooo.text(), 'out of order sample\n');

    const garbage = await post(h.base, Buffer.from('definitely not snappy'));
    assert.equal(garbage.status, 400);

    // A rejected request stores nothing, not even its in-order part.
    const mixed = await post(
      h.base,
      body([
        { labels: { __name__: 'rw2' }, timestamps: [5000], values: Float64Array.from([1]) },
        { labels: { __name__: 'rw', a: 'x' }, timestamps: [100], values: Float64Array.from([1]) },
      ]),
    );
    assert.equal(mixed.status, 400);
    const q2 = await h.store.querier(0, 10_000);
    assert.equal((await q2.select([{ type: '=', name: '__name__', value: 'rw2' }])).length, 0);
    await q2.close();
  } finally {
    await h.close();
  }
});
