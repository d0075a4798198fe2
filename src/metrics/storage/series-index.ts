import type { LabelMatcher, Labels } from '../../common/labels.js';
import { compileLabelMatcher } from '../../common/label-matcher.js';

/** Separator for series keys: sorting keys as strings then orders series as labels.Compare. */
const SEP = '\x00';

export function seriesKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += name + SEP + labels[name] + SEP;
  return key;
}

/**
 * Postings of one label value: ascending series ids, or the one id itself
 * while there is only one (most values of an `id`-like label): an array per
 * value cost ~60 bytes per series at 100,000 series.
 */
type Postings = number | number[];

function asList(p: Postings): number[] {
  return typeof p === 'number' ? [p] : p;
}

/**
 * Label names, shared by every series that has them: decoders hand out a
 * fresh string per request, and each series kept its own copies (~30 bytes
 * per name per series). Names are few; a cap keeps a stream of made-up names
 * from growing the table without end.
 */
const names = new Map<string, string>();
const MAX_NAMES = 10_000;

function internName(name: string): string {
  const found = names.get(name);
  if (found !== undefined) return found;
  if (names.size < MAX_NAMES) names.set(name, name);
  return name;
}

/** Orders entries by key, i.e. by labels as Prometheus's labels.Compare. */
export function compareEntries(a: SeriesEntry, b: SeriesEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Identity of one series shared by the head and every block. */
export interface SeriesEntry {
  id: number;
  key: string;
  labels: Labels;
  /** Oldest and newest sample time over head and blocks (ms), for range pruning. */
  minT: number;
  maxT: number;
  /** Set when a collection found it without samples and let it live once. */
  spared?: boolean;
}

/**
 * All known series and the postings (label name → value → ascending series
 * ids) that resolve matchers without touching samples, as Prometheus's
 * index does. Ids only grow, so appending keeps every postings list sorted.
 */
export class SeriesIndex {
  private byKey = new Map<string, SeriesEntry>();
  /** Entries by id: ids are dense (they only grow), so an array rather than a Map. */
  private byId: (SeriesEntry | undefined)[] = [];
  private postings = new Map<string, Map<string, Postings>>();
  private nextId = 1;

  get size(): number {
    return this.byKey.size;
  }

  get(id: number): SeriesEntry | undefined {
    return this.byId[id];
  }

  /** The entry for these labels, created with a fresh id if new. */
  getOrCreate(labels: Labels): SeriesEntry {
    const key = seriesKey(labels);
    const found = this.byKey.get(key);
    if (found) return found;
    const entryId = this.nextId++;
    const own: Labels = {};
    for (const name in labels) own[internName(name)] = labels[name]!;
    const entry: SeriesEntry = { id: entryId, key, labels: own, minT: Infinity, maxT: -Infinity };
    this.byKey.set(key, entry);
    while (this.byId.length < entryId) this.byId.push(undefined);
    this.byId[entryId] = entry;
    for (const name of Object.keys(own)) {
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      const value = own[name]!;
      // The new id is the largest yet: appending keeps the list ascending.
      const p = values.get(value);
      if (p === undefined) values.set(value, entryId);
      else if (typeof p === 'number') values.set(value, [p, entryId]);
      else p.push(entryId);
    }
    return entry;
  }

  /** Drops series no longer present anywhere (after retention or deletion). */
  retain(keep: (entry: SeriesEntry) => boolean): void {
    const dropped = new Set<number>();
    for (const entry of this.all()) if (!keep(entry)) dropped.add(entry.id);
    if (dropped.size === 0) return;
    for (const id of dropped) {
      const entry = this.byId[id]!;
      this.byId[id] = undefined;
      this.byKey.delete(entry.key);
      for (const name of Object.keys(entry.labels)) {
        const values = this.postings.get(name)!;
        const next = asList(values.get(entry.labels[name]!)!).filter((x) => x !== id);
        if (next.length) values.set(entry.labels[name]!, next.length === 1 ? next[0]! : next);
        else {
          values.delete(entry.labels[name]!);
          if (values.size === 0) this.postings.delete(name);
        }
      }
    }
  }

  *all(): IterableIterator<SeriesEntry> {
    for (const e of this.byId) if (e) yield e;
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }

  /** Ascending ids of series matching every matcher (Prometheus's PostingsForMatchers). */
  match(matchers: LabelMatcher[]): number[] {
    let result: number[] | undefined;
    const subtract: number[][] = [];
    for (const m of matchers) {
      const test = compileLabelMatcher(m);
      const values = this.postings.get(m.name);
      if (test('')) {
        // Matches series without the label too: remove those whose value fails.
        if (!values) continue;
        const lists: Postings[] = [];
        for (const [value, list] of values) if (!test(value)) lists.push(list);
        if (lists.length) subtract.push(unionAll(lists));
      } else {
        if (!values) return [];
        if (m.type === '=') {
          const list = values.get(m.value);
          if (list === undefined) return [];
          result = result ? intersect(result, asList(list)) : asList(list);
        } else {
          const lists: Postings[] = [];
          for (const [value, list] of values) if (test(value)) lists.push(list);
          const union = unionAll(lists);
          result = result ? intersect(result, union) : union;
        }
        if (result.length === 0) return [];
      }
    }
    if (!result) result = [...this.all()].map((e) => e.id);
    for (const list of subtract) result = difference(result, list);
    return result;
  }
}

function intersect(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

function difference(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (b[j] !== x) out.push(x);
  }
  return out;
}

function unionAll(lists: Postings[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return asList(lists[0]!);
  const all: number[] = [];
  for (const list of lists) {
    if (typeof list === 'number') all.push(list);
    else for (const x of list) all.push(x);
  }
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const x of all) if (out[out.length - 1] !== x) out.push(x);
  return out;
}
