import type { LabelMatcher, Labels } from '../../src/common/labels.js';
import { sortLabels } from '../../src/common/labels.js';
import { compileLineFilter } from '../../src/logs/logql/index.js';
import type {
  BucketRequest,
  ExtractedRequest,
  ExtractedSeries,
  LineFilter,
  LogReader,
  SelectLogsRequest,
  StoredEntry,
  StreamBuckets,
} from '../../src/logs/reader.js';
import type { LogStream } from '../../src/logs/sink.js';
import { compileLabelMatcher } from '../../src/common/label-matcher.js';
import { findLogfmtValues } from '../../src/logs/logql/logfmt-decoder.js';
import { parseGoDurationSeconds, parseGoFloat } from '../../src/logs/logql/units.js';

interface MemStream {
  labels: Labels;
  entries: StoredEntry[];
  seen: Set<string>;
}

/**
 * An in-memory LogReader: the reference the DuckDB store is tested against.
 * Streams are canonicalised, exact duplicates (stream, timestamp, line) are
 * stored once, entries are kept in timestamp order.
 */
export class MemoryLogReader implements LogReader {
  private readonly streams = new Map<string, MemStream>();
  private sorted = true;

  push(streams: LogStream[]): void {
    for (const s of streams) {
      const labels = sortLabels(s.labels);
      const key = JSON.stringify(labels);
      let st = this.streams.get(key);
      if (!st) {
        st = { labels, entries: [], seen: new Set() };
        this.streams.set(key, st);
      }
      for (const e of s.entries) {
        const id = `${e.timestamp}\u0000${e.line}`;
        if (st.seen.has(id)) continue;
        st.seen.add(id);
        st.entries.push({ labels, timestamp: e.timestamp, line: e.line });
      }
    }
    this.sorted = false;
  }

  private sort(): void {
    if (this.sorted) return;
    for (const st of this.streams.values()) {
      st.entries.sort((a, b) =>
        a.timestamp < b.timestamp
          ? -1
          : a.timestamp > b.timestamp
            ? 1
            : a.line < b.line
              ? -1
              : a.line > b.line
                ? 1
                : 0,
      );
    }
    this.sorted = true;
  }

  private matching(matchers: LabelMatcher[]): MemStream[] {
    this.sort();
    const tests = matchers.map((m) => ({ name: m.name, test: compileLabelMatcher(m) }));
    return [...this.streams.values()].filter((st) =>
      tests.every((t) => t.test(st.labels[t.name] ?? '')),
    );
  }

  async *selectEntries(req: SelectLogsRequest): AsyncIterable<StoredEntry[]> {
    const filter = lineFilters(req.filters);
    const forward = req.direction === 'forward';
    // Per stream, the entries in range (already in time order), merged across streams.
    const lists: StoredEntry[][] = [];
    for (const st of this.matching(req.matchers)) {
      const list = st.entries.filter(
        (e) => e.timestamp >= req.startNs && e.timestamp < req.endNs && filter(e.line),
      );
      if (list.length > 0) lists.push(forward ? list : list.reverse());
    }
    if (req.unordered) {
      // Stream after stream, as a store that skips the global sort would answer.
      let left = req.limit ?? Infinity;
      for (const list of lists) {
        for (let i = 0; i < list.length && left > 0; i += 1000) {
          if (req.signal?.aborted) return;
          const batch = list.slice(i, Math.min(i + 1000, i + left));
          left -= batch.length;
          yield batch;
        }
      }
      return;
    }
    const before = (a: StoredEntry, b: StoredEntry): boolean => {
      if (a.timestamp !== b.timestamp)
        return forward ? a.timestamp < b.timestamp : a.timestamp > b.timestamp;
      return a.line < b.line;
    };
    const pos = lists.map(() => 0);
    const heap = lists.map((_, i) => i);
    const head = (i: number): StoredEntry => lists[i]![pos[i]!]!;
    const down = (k: number): void => {
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && before(head(heap[l]!), head(heap[m]!))) m = l;
        if (r < heap.length && before(head(heap[r]!), head(heap[m]!))) m = r;
        if (m === k) return;
        [heap[k], heap[m]] = [heap[m]!, heap[k]!];
        k = m;
      }
    };
    for (let k = Math.floor(heap.length / 2) - 1; k >= 0; k--) down(k);
    let left = req.limit ?? Infinity;
    let batch: StoredEntry[] = [];
    while (heap.length > 0 && left > 0) {
      const i = heap[0]!;
      batch.push(head(i));
      left--;
      if (++pos[i]! >= lists[i]!.length) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      down(0);
      if (batch.length === 1000) {
        if (req.signal?.aborted) return;
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !req.signal?.aborted) yield batch;
  }

  async aggregateBuckets(req: BucketRequest): Promise<StreamBuckets[]> {
    const filter = lineFilters(req.filters);
    const out: StreamBuckets[] = [];
    for (const st of this.matching(req.matchers)) {
      const buckets = new Map<number, { count: number; bytes: number }>();
      for (const e of st.entries) {
        if (e.timestamp < req.startNs || e.timestamp >= req.endNs || !filter(e.line)) continue;
        const k = Number((e.timestamp - req.originNs - 1n) / req.bucketNs);
        const b = buckets.get(k) ?? { count: 0, bytes: 0 };
        b.count++;
        b.bytes += Buffer.byteLength(e.line);
        buckets.set(k, b);
      }
      if (buckets.size > 0) out.push({ labels: st.labels, buckets });
    }
    return out;
  }

  /** The reference for storage-side extraction: the logfmt stage's own hinted lookup. */
  async extractedAggregation(req: ExtractedRequest): Promise<ExtractedSeries[] | undefined> {
    const filter = lineFilters(req.filters);
    const unwrap = req.unwrap;
    const keys = unwrap ? [...req.fields, unwrap.field] : req.fields;
    const convert = unwrap?.conversion ? parseGoDurationSeconds : parseGoFloat;
    const out = new Map<string, ExtractedSeries>();
    for (const st of this.matching(req.matchers)) {
      if (keys.some((k) => k in st.labels)) return undefined;
      for (const e of st.entries) {
        if (e.timestamp < req.startNs || e.timestamp >= req.endNs || !filter(e.line)) continue;
        const found = findLogfmtValues(e.line, keys);
        let value = 0;
        if (unwrap) {
          const text = found[keys.length - 1];
          if (text === undefined || text === '') continue;
          const v = convert(text);
          if (v === undefined) return undefined;
          value = v;
        }
        const labels: Labels = req.fieldsOnly ? {} : { ...st.labels };
        req.fields.forEach((f, i) => {
          const v = found[i];
          if (v !== undefined && v !== '') labels[f] = v;
        });
        const key = JSON.stringify(sortLabels(labels));
        let s = out.get(key);
        if (!s) {
          s = unwrap ? { labels, offsets: [], values: [] } : { labels, buckets: new Map() };
          out.set(key, s);
        }
        if (unwrap) {
          s.offsets!.push(Number(e.timestamp - req.originNs));
          s.values!.push(value);
          continue;
        }
        const k = Number((e.timestamp - req.originNs - 1n) / req.bucketNs);
        const b = s.buckets!.get(k) ?? { count: 0, bytes: 0 };
        b.count++;
        b.bytes += Buffer.byteLength(e.line);
        s.buckets!.set(k, b);
      }
    }
    for (const s of out.values()) {
      if (!s.offsets) continue;
      const order = s.offsets.map((_, i) => i);
      order.sort((a, b) => s.offsets![a]! - s.offsets![b]! || s.values![a]! - s.values![b]!);
      s.offsets = order.map((i) => s.offsets![i]!);
      s.values = order.map((i) => s.values![i]!);
    }
    return [...out.values()];
  }

  async series(matchers: LabelMatcher[], startNs: bigint, endNs: bigint): Promise<Labels[]> {
    return this.matching(matchers)
      .filter((st) => st.entries.some((e) => e.timestamp >= startNs && e.timestamp < endNs))
      .map((st) => st.labels);
  }

  async labelNames(
    startNs: bigint,
    endNs: bigint,
    matchers: LabelMatcher[] = [],
  ): Promise<string[]> {
    const names = new Set<string>();
    for (const l of await this.series(matchers, startNs, endNs)) for (const n in l) names.add(n);
    return [...names].sort();
  }

  async labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers: LabelMatcher[] = [],
  ): Promise<string[]> {
    const values = new Set<string>();
    for (const l of await this.series(matchers, startNs, endNs)) {
      const v = l[name];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }
}

function lineFilters(filters: LineFilter[]): (line: string) => boolean {
  const tests = filters.map((f) =>
    compileLineFilter({
      type: 'lineFilter',
      op: f.op,
      values: f.values.map((value) => ({ ip: false, value })),
    }),
  );
  return (line) => tests.every((t) => t(line));
}
