import type { Labels } from '../../common/labels.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

const hasOwn = Object.prototype.hasOwnProperty;

/** Identity strings of stream label sets, computed once per (shared) labels object. */
const baseKeys = new WeakMap<Labels, string>();

const baseNames = new WeakMap<Labels, string[]>();

function sortedNames(labels: Labels): string[] {
  let names = baseNames.get(labels);
  if (names === undefined) {
    names = Object.keys(labels).sort();
    baseNames.set(labels, names);
  }
  return names;
}

function keyOf(labels: Labels): string {
  let key = baseKeys.get(labels);
  if (key === undefined) {
    key = '';
    for (const name of Object.keys(labels).sort()) key += name + '\u0000' + labels[name] + '\u0001';
    baseKeys.set(labels, key);
  }
  return key;
}

/**
 * The labels of one entry as it moves through the pipeline, as Loki's
 * LabelsBuilder: the stream's labels plus what parsers extract, with the
 * error a stage recorded kept apart until the labels are read out. The
 * stream's labels are not copied per entry; only changes are recorded.
 */
export class LabelsBuilder {
  private base: Labels = {};
  // Labels set by stages, as parallel arrays reset by length: cheaper per entry than a Map.
  private readonly addedNames: string[] = [];
  private readonly addedValues: string[] = [];
  private readonly deleted = new Set<string>();
  private err = '';
  private errDetails = '';

  reset(base: Labels): void {
    this.base = base;
    this.addedNames.length = 0;
    this.addedValues.length = 0;
    if (this.deleted.size > 0) this.deleted.clear();
    this.err = '';
    this.errDetails = '';
  }

  baseHas(name: string): boolean {
    return hasOwn.call(this.base, name);
  }

  get(name: string): string | undefined {
    if (name === ERROR_LABEL) return this.err === '' ? undefined : this.err;
    if (name === ERROR_DETAILS_LABEL) return this.errDetails === '' ? undefined : this.errDetails;
    const i = this.addedNames.indexOf(name);
    if (i >= 0) return this.addedValues[i];
    if (this.deleted.size > 0 && this.deleted.has(name)) return undefined;
    return hasOwn.call(this.base, name) ? this.base[name] : undefined;
  }

  set(name: string, value: string): void {
    if (name === ERROR_LABEL) this.err = value;
    else if (name === ERROR_DETAILS_LABEL) this.errDetails = value;
    else {
      const i = this.addedNames.indexOf(name);
      if (i >= 0) this.addedValues[i] = value;
      else {
        this.addedNames.push(name);
        this.addedValues.push(value);
      }
      if (this.deleted.size > 0) this.deleted.delete(name);
    }
  }

  del(name: string): void {
    if (name === ERROR_LABEL) this.err = '';
    else if (name === ERROR_DETAILS_LABEL) this.errDetails = '';
    else {
      const i = this.addedNames.indexOf(name);
      if (i >= 0) {
        this.addedNames.splice(i, 1);
        this.addedValues.splice(i, 1);
      }
      if (hasOwn.call(this.base, name)) this.deleted.add(name);
    }
  }

  hasErr(): boolean {
    return this.err !== '';
  }

  setErr(err: string, details?: string): void {
    this.err = err;
    if (details !== undefined) this.errDetails = details;
  }

  /** True when no stage changed the stream's labels. */
  unchanged(): boolean {
    return (
      this.addedNames.length === 0 &&
      this.deleted.size === 0 &&
      this.err === '' &&
      this.errDetails === ''
    );
  }

  names(): string[] {
    const names: string[] = [];
    for (const name in this.base) {
      if (this.addedNames.includes(name)) continue;
      if (this.deleted.size > 0 && this.deleted.has(name)) continue;
      names.push(name);
    }
    for (const name of this.addedNames) names.push(name);
    if (this.err !== '') names.push(ERROR_LABEL);
    if (this.errDetails !== '') names.push(ERROR_DETAILS_LABEL);
    return names;
  }

  /** The labels as a template sees them (`.name`), errors included. */
  map(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.names()) out[name] = this.get(name)!;
    return out;
  }

  /** The final label set, sorted (empty values stay, as Loki keeps `--keep-empty` labels). */
  labels(): Labels {
    if (this.unchanged()) return this.base;
    const out: Labels = {};
    for (const name of this.names().sort()) out[name] = this.get(name)!;
    return out;
  }

  /**
   * An identity string of `grouped(grouping)`, cheaper than building the
   * labels: series are looked up by it once per entry.
   */
  groupedKey(grouping: { without: boolean; labels: string[] } | undefined): string {
    if (grouping !== undefined && !grouping.without && !this.hasErr()) {
      let key = '';
      for (const name of grouping.labels) {
        const v = this.get(name);
        if (v !== undefined) key += name + '\u0000' + v + '\u0001';
      }
      return key;
    }
    if (grouping === undefined && !this.hasErr() && this.errDetails === '') return this.fullKey();
    const labels = this.grouped(grouping);
    let key = '';
    for (const name in labels) key += name + '\u0000' + labels[name] + '\u0001';
    return key;
  }

  /** The identity string of `labels()`, merging the stream's sorted names with the changes. */
  private fullKey(): string {
    if (this.addedNames.length === 0 && this.deleted.size === 0) return keyOf(this.base);
    const order = this.addedNames.map((_, i) => i);
    if (order.length > 1)
      order.sort((x, y) => (this.addedNames[x]! < this.addedNames[y]! ? -1 : 1));
    const added = order.map((i) => this.addedNames[i]!);
    const values = order.map((i) => this.addedValues[i]!);
    const baseNames = sortedNames(this.base);
    let key = '';
    let j = 0;
    for (const name of baseNames) {
      while (j < added.length && added[j]! < name) {
        key += added[j] + '\u0000' + values[j] + '\u0001';
        j++;
      }
      if (j < added.length && added[j] === name) continue;
      if (this.deleted.size > 0 && this.deleted.has(name)) continue;
      key += name + '\u0000' + this.base[name] + '\u0001';
    }
    for (; j < added.length; j++) key += added[j] + '\u0000' + values[j] + '\u0001';
    return key;
  }

  /** The labels kept by a `by`/`without` grouping; an error keeps every label so it is seen. */
  grouped(grouping: { without: boolean; labels: string[] } | undefined): Labels {
    if (grouping === undefined || this.hasErr()) return this.labels();
    const out: Labels = {};
    if (!grouping.without) {
      for (const name of [...grouping.labels].sort()) {
        const v = this.get(name);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    const all = this.labels();
    const set = new Set(grouping.labels);
    for (const name in all) if (!set.has(name)) out[name] = all[name]!;
    return out;
  }
}
