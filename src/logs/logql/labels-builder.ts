import type { Labels } from '../../common/labels.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

/**
 * The labels of one entry as it moves through the pipeline, as Loki's
 * LabelsBuilder: the stream's labels plus what parsers extract, with the
 * error a stage recorded kept apart until the labels are read out.
 */
export class LabelsBuilder {
  private base: Labels = {};
  private current = new Map<string, string>();
  private err = '';
  private errDetails = '';

  reset(base: Labels): void {
    this.base = base;
    this.current.clear();
    for (const name in base) this.current.set(name, base[name]!);
    this.err = '';
    this.errDetails = '';
  }

  baseHas(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.base, name);
  }

  get(name: string): string | undefined {
    if (name === ERROR_LABEL) return this.err === '' ? undefined : this.err;
    if (name === ERROR_DETAILS_LABEL) return this.errDetails === '' ? undefined : this.errDetails;
    return this.current.get(name);
  }

  set(name: string, value: string): void {
    if (name === ERROR_LABEL) this.err = value;
    else if (name === ERROR_DETAILS_LABEL) this.errDetails = value;
    else this.current.set(name, value);
  }

  del(name: string): void {
    if (name === ERROR_LABEL) this.err = '';
    else if (name === ERROR_DETAILS_LABEL) this.errDetails = '';
    else this.current.delete(name);
  }

  hasErr(): boolean {
    return this.err !== '';
  }

  setErr(err: string, details?: string): void {
    this.err = err;
    if (details !== undefined) this.errDetails = details;
  }

  names(): string[] {
    const names = [...this.current.keys()];
    if (this.err !== '') names.push(ERROR_LABEL);
    if (this.errDetails !== '') names.push(ERROR_DETAILS_LABEL);
    return names;
  }

  /** The labels as a template sees them (`.name`), errors included. */
  map(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.current) out[k] = v;
    if (this.err !== '') out[ERROR_LABEL] = this.err;
    if (this.errDetails !== '') out[ERROR_DETAILS_LABEL] = this.errDetails;
    return out;
  }

  /** The final label set, sorted (empty values stay, as Loki keeps `--keep-empty` labels). */
  labels(): Labels {
    const out: Labels = {};
    for (const name of this.names().sort()) out[name] = this.get(name)!;
    return out;
  }

  /** The labels kept by a `by`/`without` grouping; an error keeps every label so it is seen. */
  grouped(grouping: { without: boolean; labels: string[] } | undefined): Labels {
    const all = this.labels();
    if (grouping === undefined || this.hasErr()) return all;
    const out: Labels = {};
    const set = new Set(grouping.labels);
    for (const name in all) {
      if (set.has(name) !== grouping.without) out[name] = all[name]!;
    }
    return out;
  }
}
