import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Labels } from '../../../src/common/labels.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { LogStore } from '../../../src/logs/store/index.js';
import type { SelectLogsRequest, StoredEntry } from '../../../src/logs/reader.js';

const BASE = 1_763_000_000_000_000_000n; // 2025-11-13T02:13:20Z
const S = 1_000_000_000n;

async function collect(store: LogStore, req: Partial<SelectLogsRequest>): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for await (const batch of store.selectEntries({
    matchers: [],
    filters: [],
    startNs: BASE - 86_400n * S,
    endNs: BASE + 86_400n * S,
    direction: 'forward',
    ...req,
  }))
    out.push(...batch);
  return out;
}

describe('LogStore', () => {
  let dir: string;
  let store: LogStore;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-logstore-'));
    store = await LogStore.open({ dir });
    await store.push([
      {
        labels: { job: 'api', env: 'prod' },
        entries: [
          { timestamp: BASE + 2n * S, line: 'level=error msg="boom" status=500' },
          { timestamp: BASE + 1n * S, line: 'level=info msg="ok" status=200' },
          { timestamp: BASE + 3n * S, line: 'level=info msg="rare-token" status=204' },
        ],
      },
      {
        labels: { job: 'worker', env: 'dev' },
        entries: [{ timestamp: BASE + (86_400n * S) / 2n, line: '{"level":"warn"}' }],
      },
    ]);
    // Same stream with labels in another order, an exact duplicate, and a same-ts new line.
    await store.push([
      {
        labels: { env: 'prod', job: 'api' },
        entries: [
          { timestamp: BASE + 2n * S, line: 'level=error msg="boom" status=500' },
          { timestamp: BASE + 2n * S, line: 'level=error msg="other" status=503' },
        ],
      },
    ]);
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('canonicalises label order and stores exact duplicates once', async () => {
    const all = await collect(store, { matchers: [{ type: '=', name: 'job', value: 'api' }] });
    assert.equal(store.streamCount, 2);
    assert.deepEqual(
      all.map((e) => [e.timestamp - BASE, e.line]),
      [
        [1n * S, 'level=info msg="ok" status=200'],
        [2n * S, 'level=error msg="boom" status=500'],
        [2n * S, 'level=error msg="other" status=503'],
        [3n * S, 'level=info msg="rare-token" status=204'],
      ],
    );
    assert.deepEqual(Object.keys(all[0]!.labels), ['env', 'job']);
  });

  const cases: { why: string; req: Partial<SelectLogsRequest>; lines: string[] }[] = [
    {
      why: 'regex matcher is anchored',
      req: { matchers: [{ type: '=~', name: 'job', value: 'work' }] },
      lines: [],
    },
    {
      why: 'regex matcher, full match',
      req: { matchers: [{ type: '=~', name: 'job', value: 'work.*' }] },
      lines: ['{"level":"warn"}'],
    },
    {
      why: 'missing label matches the empty string',
      req: { matchers: [{ type: '=', name: 'nope', value: '' }], limit: 1 },
      lines: ['level=info msg="ok" status=200'],
    },
    {
      why: 'contains filter',
      req: { filters: [{ op: '|=', values: ['rare-token'] }] },
      lines: ['level=info msg="rare-token" status=204'],
    },
    {
      why: 'case-insensitive regex filter, backward with limit',
      req: {
        filters: [{ op: '|~', values: ['(?i)LEVEL=ERROR'] }],
        direction: 'backward',
        limit: 1,
      },
      lines: ['level=error msg="other" status=503'],
    },
    {
      why: 'negated filter with or alternatives',
      req: {
        matchers: [{ type: '=', name: 'env', value: 'prod' }],
        filters: [{ op: '!=', values: ['boom', 'other'] }],
      },
      lines: ['level=info msg="ok" status=200', 'level=info msg="rare-token" status=204'],
    },
    {
      why: 'pattern filter',
      req: { filters: [{ op: '|>', values: ['level=<_> msg="<_>" status=5<_>'] }] },
      lines: ['level=error msg="boom" status=500', 'level=error msg="other" status=503'],
    },
    {
      why: 'time bounds: start inclusive, end exclusive',
      req: { startNs: BASE + 2n * S, endNs: BASE + 3n * S },
      lines: ['level=error msg="boom" status=500', 'level=error msg="other" status=503'],
    },
  ];
  for (const c of cases) {
    it(c.why, async () => {
      const got = await collect(store, c.req);
      assert.deepEqual(
        got.map((e) => e.line),
        c.lines,
      );
    });
  }

  it('stores lines longer than the FSST limit apart and still returns them in order', async () => {
    const long = 'L'.repeat(70_000);
    await store.push([
      {
        labels: { kind: 'big' },
        entries: [
          { timestamp: BASE + 7211n * S, line: 'short before' },
          { timestamp: BASE + 7212n * S, line: long },
          { timestamp: BASE + 7213n * S, line: 'short after' },
        ],
      },
    ]);
    const got = await collect(store, { matchers: [{ type: '=', name: 'kind', value: 'big' }] });
    assert.deepEqual(
      got.map((e) => e.line.length),
      [12, 70_000, 11],
    );
  });

  it('keeps every character of a line through the write-ahead log', async () => {
    const lines = [
      '',
      '"quoted", comma',
      'multi\nline\r\nend',
      'nul\u0000byte',
      'ünï ✓ 😀',
      '\\back\\slash',
      'ctrl \u0001 and \u0001\u0001',
    ];
    const metadata: Record<number, Labels> = {
      1: { 'trace"id': 'a,"b"' },
      6: { q: '\u0001"\u0001' },
    };
    await store.push([
      {
        labels: { kind: 'chars' },
        entries: lines.map((line, i) => ({
          timestamp: BASE + 7300n * S + BigInt(i),
          line,
          metadata: metadata[i],
        })),
      },
    ]);
    const got = await collect(store, { matchers: [{ type: '=', name: 'kind', value: 'chars' }] });
    assert.deepEqual(
      got.map((e) => e.line),
      lines,
    );
    assert.deepEqual(got[1]!.metadata, { 'trace"id': 'a,"b"' });
    assert.deepEqual(got[6]!.metadata, { q: '\u0001"\u0001' });
    // Byte lengths are UTF-8's: what bytes_over_time sums.
    const buckets = await store.aggregateBuckets({
      matchers: [{ type: '=', name: 'kind', value: 'chars' }],
      filters: [],
      startNs: BASE + 7300n * S,
      endNs: BASE + 7301n * S,
      originNs: BASE + 7300n * S - 1n,
      bucketNs: S,
    });
    assert.deepEqual(buckets[0]!.buckets.get(0), {
      count: lines.length,
      bytes: lines.reduce((n, l) => n + Buffer.byteLength(l), 0),
    });
  });

  it('returns the same entries unsorted when a metric query says order does not matter', async () => {
    const sorted = await collect(store, {});
    const unordered = await collect(store, { unordered: true });
    const key = (e: StoredEntry): string => `${e.timestamp} ${e.line}`;
    assert.deepEqual(unordered.map(key).sort(), sorted.map(key).sort());
  });

  it('aggregates counts and bytes per stream and bucket', async () => {
    const res = await store.aggregateBuckets({
      matchers: [{ type: '=', name: 'job', value: 'api' }],
      filters: [],
      startNs: BASE,
      endNs: BASE + 10n * S,
      originNs: BASE,
      bucketNs: 2n * S,
    });
    assert.equal(res.length, 1);
    // (0,2s] holds 1s and the two 2s lines; (2s,4s] holds 3s.
    assert.deepEqual(res[0]!.buckets.get(0)?.count, 3);
    assert.deepEqual(res[0]!.buckets.get(1), {
      count: 1,
      bytes: 'level=info msg="rare-token" status=204'.length,
    });
  });

  it('answers labels, values and series within the time range', async () => {
    assert.deepEqual(await store.labelNames(BASE, BASE + 60n * S), ['env', 'job']);
    assert.deepEqual(await store.labelValues('job', BASE - 86_400n * S, BASE + 86_400n * S), [
      'api',
      'worker',
    ]);
    assert.deepEqual(await store.labelValues('job', BASE, BASE + 60n * S), ['api']);
    assert.deepEqual(
      await store.series(
        [
          { type: '!=', name: 'env', value: 'prod' },
          { type: '=~', name: 'job', value: '.+' },
        ],
        BASE,
        BASE + 86_400n * S,
      ),
      [{ env: 'dev', job: 'worker' }],
    );
  });

  it('settles written days into fresh files without changing what queries see', async () => {
    const before = await collect(store, {});
    const settled = await store.settle(0);
    assert.ok(settled.length >= 1);
    assert.deepEqual(await collect(store, {}), before);
    assert.deepEqual(await store.settle(0), [], 'nothing written since');
  });

  it('keeps everything across a restart and still recognises recent duplicates', async () => {
    await store.close();
    store = await LogStore.open({ dir });
    await store.push([
      {
        labels: { job: 'api', env: 'prod' },
        entries: [
          { timestamp: BASE + 3n * S, line: 'level=info msg="rare-token" status=204' },
          { timestamp: BASE + 4n * S, line: 'after restart' },
        ],
      },
    ]);
    const all = await collect(store, { matchers: [{ type: '=', name: 'job', value: 'api' }] });
    assert.equal(all.length, 5);
    assert.equal(all.at(-1)!.line, 'after restart');
  });
});

describe('LogStore settle layout', () => {
  it('stores a settled hour stream by stream, oldest first, so unordered reads come grouped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-logstore-settle-'));
    const store = await LogStore.open({ dir });
    try {
      // Two streams interleaved and out of order within one hour (loading
      // deduplicates by hashing, so stored order is arbitrary before settling).
      for (const i of [3n, 0n, 2n, 1n]) {
        await store.push([
          { labels: { job: 'b' }, entries: [{ timestamp: BASE + i * S, line: `b${i}` }] },
          { labels: { job: 'a' }, entries: [{ timestamp: BASE + i * S, line: `a${i}` }] },
        ]);
      }
      const lines = async (): Promise<string[]> =>
        (await collect(store, { unordered: true })).map((e) => e.line);
      await store.settle(0);
      assert.deepEqual(await lines(), ['b0', 'b1', 'b2', 'b3', 'a0', 'a1', 'a2', 'a3']);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("settles an hour bigger than DuckDB's memory in pieces, in the same order, leaving no free blocks", () =>
    inTempDir('obs-logstore-settle-big-', async (dir) => {
      // ~60 MB of lines in one hour under a 40 MB limit: sorted at once, the
      // day's rewrite ran out of memory and the day never settled; in pieces
      // on two threads, the day file kept rewritten row groups' blocks, free.
      const H = 3_600n * S;
      const hourStart = (BASE / H + 1n) * H;
      const jobs = ['a', 'b', 'c'];
      const per = 100_000;
      await withStore({ dir, memoryLimit: '40MB', burstMemoryLimit: '40MB' }, async (store) => {
        for (let chunk = 0; chunk < per; chunk += 10_000) {
          await store.push(
            jobs.map((job, j) => ({
              labels: { job },
              entries: Array.from({ length: 10_000 }, (_, k) => {
                const i = chunk + k;
                // Each stream's lines spread over the hour, pushed out of time order.
                const t = hourStart + (BigInt((i * 7919) % per) * H) / BigInt(per) + BigInt(j);
                return { timestamp: t, line: `level=info job=${job} i=${i} ${'pad '.repeat(40)}` };
              }),
            })),
          );
        }
        assert.equal((await store.settle(0)).length, 1);
        const got = await collect(store, {
          unordered: true,
          startNs: hourStart,
          endNs: hourStart + H,
        });
        assert.equal(got.length, jobs.length * per);
        const key = (e: StoredEntry): [number, bigint] => [
          jobs.indexOf(e.labels.job!),
          e.timestamp,
        ];
        for (let i = 1; i < got.length; i++) {
          const [a, b] = [key(got[i - 1]!), key(got[i]!)];
          assert.ok(
            a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]),
            `row ${i} out of the settled order`,
          );
        }
      });
      const day = fs.readdirSync(dir).find((f) => /^day-\d+\.duckdb$/.test(f))!;
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      try {
        await conn.run(`ATTACH '${path.join(dir, day)}' AS d (READ_ONLY)`);
        const r = await conn.runAndReadAll(
          "SELECT free_blocks FROM pragma_database_size() WHERE database_name = 'd'",
        );
        assert.equal(r.getRows()[0]![0], 0n);
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    }));
});

/** Runs `fn` with a fresh directory, removed afterwards. */
async function inTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a store opened on `dir`, closed afterwards. */
async function withStore(
  opts: Parameters<typeof LogStore.open>[0],
  fn: (store: LogStore) => Promise<void>,
): Promise<void> {
  const store = await LogStore.open(opts);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

describe('LogStore write-ahead segments', () => {
  it('stores long lines as pushed, their files read with a buffer sized to the longest', () =>
    inTempDir('obs-logstore-long-', async (dir) => {
      const MiB = 1 << 20;
      // Around the reader's 1 MiB floor and its doublings, in bytes (é takes two).
      const lines = [
        'x'.repeat(3000),
        'x'.repeat(MiB - 40),
        'é'.repeat(MiB / 2 + 5),
        `${'y'.repeat(3 * MiB)} end`,
      ];
      await withStore({ dir }, async (store) => {
        for (const [i, line] of lines.entries()) {
          await store.push([
            { labels: { job: 'long' }, entries: [{ timestamp: BASE + BigInt(i) * S, line }] },
          ]);
          await store.sync();
        }
        const got = await collect(store, { matchers: [{ type: '=', name: 'job', value: 'long' }] });
        assert.deepEqual(
          got.map((e) => e.line.length),
          lines.map((l) => l.length),
        );
        assert.ok(got.every((e, i) => e.line === lines[i]));
      });
    }));

  it("loads one push bigger than DuckDB's memory limit, and again after a restart", () =>
    inTempDir('obs-logstore-big-', async (dir) => {
      // ~30 MB of rows in one push, stored under a 32 MB limit: as one file its
      // load ran out of memory at every retry and every restart.
      const lines = 150_000;
      const entries = Array.from({ length: lines }, (_, i) => ({
        timestamp: BASE + BigInt(i) * 1_000_000n,
        line: `level=info i=${i} ${'pad '.repeat(45)}`,
      }));
      const count = async (store: LogStore): Promise<number> => {
        const streams = await store.aggregateBuckets({
          matchers: [{ type: '=', name: 'job', value: 'big' }],
          filters: [],
          startNs: BASE - S,
          endNs: BASE + 86_400n * S,
          originNs: BASE - S,
          bucketNs: 86_400n * S,
        });
        return streams.flatMap((s) => [...s.buckets.values()]).reduce((n, b) => n + b.count, 0);
      };
      await withStore({ dir, memoryLimit: '32MB', burstMemoryLimit: '32MB' }, async (store) => {
        await store.push([{ labels: { job: 'big' }, entries }]);
        assert.equal(await count(store), lines);
      });
      await withStore({ dir, memoryLimit: '32MB', burstMemoryLimit: '32MB' }, async (store) => {
        assert.equal(await count(store), lines);
      });
    }));

  it("runs loads that ran out of DuckDB's memory again at the burst limit", () =>
    inTempDir('obs-logstore-burst-', async (dir) => {
      // Loads' hash tables alone need more than 16 MB.
      const streams = Array.from({ length: 10 }, (_, j) => ({
        labels: { job: 'burst', n: String(j) },
        entries: Array.from({ length: 20_000 }, (_, i) => ({
          timestamp: BASE + BigInt(i) * 1_000_000n + BigInt(j),
          line: `level=info n=${j} i=${i} ${'pad '.repeat(30)}`,
        })),
      }));
      await withStore({ dir, memoryLimit: '16MB', burstMemoryLimit: '64MB' }, async (store) => {
        await store.push(streams);
        const got = await collect(store, {
          matchers: [{ type: '=', name: 'job', value: 'burst' }],
          filters: [{ op: '|=', values: ['i=1999'] }],
        });
        assert.equal(got.length, 10 * 11);
        assert.ok(store.memoryReruns > 0, 'nothing ran out of memory at 16 MB');
      });
    }));

  it('loads segment files an older obs left behind (format 1: "-quoted, byte length beside)', () =>
    inTempDir('obs-logstore-v1-', async (dir) => {
      await withStore({ dir }, (store) =>
        store.push([{ labels: { job: 'old' }, entries: [{ timestamp: BASE, line: 'first' }] }]),
      );
      const day = Number(BASE / (86_400n * S));
      const rows = [
        `1,${BASE + S},${Buffer.byteLength('a "quoted", line')},"a ""quoted"", line",`,
        `1,${BASE + 2n * S},3,"ünï","{""k"":""v""}"`,
      ];
      fs.writeFileSync(path.join(dir, 'wal', `seg-1-${day}-entries.csv`), `${rows.join('\n')}\n`);
      await withStore({ dir }, async (store) => {
        const got = await collect(store, { matchers: [{ type: '=', name: 'job', value: 'old' }] });
        assert.deepEqual(
          got.map((e) => [e.line, e.metadata]),
          [
            ['first', undefined],
            ['a "quoted", line', undefined],
            ['ünï', { k: 'v' }],
          ],
        );
        assert.deepEqual(fs.readdirSync(path.join(dir, 'wal')), [], 'loaded and removed');
      });
    }));
});
