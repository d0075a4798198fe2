import { sortLabels, type Labels } from '../../common/labels.js';
import { parsePromDuration } from '../../common/duration.js';
import { relabel, type CompiledRelabel } from '../../common/relabel.js';
import type { ScrapeConfig } from '../config/index.js';

/** One discovered target group, as service discovery yields it. */
export interface TargetGroup {
  /** Where the group came from (`static_configs/0`, a file path), for stable identity. */
  source: string;
  targets: Labels[];
  labels: Labels;
}

/** A target after relabeling, ready to scrape. */
export interface ScrapeTarget {
  /** Every label after relabeling, `__`-prefixed ones included. */
  labels: Labels;
  /** The labels before relabeling, as /api/v1/targets shows them. */
  discoveredLabels: Labels;
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Identity across syncs: the sorted labels. */
  key: string;
}

export type PopulateResult =
  | { kind: 'active'; target: ScrapeTarget }
  | { kind: 'dropped'; discoveredLabels: Labels }
  | { kind: 'error'; discoveredLabels: Labels; error: string };

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Prometheus's scrape.PopulateLabels: the group and target labels, the scrape
 * config's defaults as `__` labels, relabel_configs, a default port, the
 * `instance` label; `__meta_` labels are removed afterwards.
 */
export function populateTarget(
  group: TargetGroup,
  targetLabels: Labels,
  cfg: ScrapeConfig,
  rules: CompiledRelabel,
): PopulateResult {
  const base: Labels = { ...group.labels, ...targetLabels };
  const defaults: Labels = {
    job: cfg.job_name,
    __scrape_interval__: cfg.scrape_interval,
    __scrape_timeout__: cfg.scrape_timeout,
    __metrics_path__: cfg.metrics_path,
    __scheme__: cfg.scheme,
  };
  for (const [name, values] of Object.entries(cfg.params ?? {})) {
    if (values.length > 0) defaults[`__param_${name}`] = values[0]!;
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (base[name] === undefined || base[name] === '') base[name] = value;
  }
  const discoveredLabels = sortLabels(base);
  const relabeled = relabel(base, rules);
  if (relabeled === null) return { kind: 'dropped', discoveredLabels };
  const lb: Labels = { ...relabeled };
  const fail = (error: string): PopulateResult => ({ kind: 'error', discoveredLabels, error });

  let addr = lb.__address__;
  if (addr === undefined || addr === '') return fail('no address');
  const scheme = lb.__scheme__ ?? 'http';
  if (needsPort(addr)) {
    if (scheme === 'http' || scheme === '') addr += ':80';
    else if (scheme === 'https') addr += ':443';
    else return fail(`invalid scheme: "${scheme}"`);
    lb.__address__ = addr;
  }
  if (addr.includes('/')) return fail(`"${addr}" is not a valid hostname`);

  const interval = lb.__scrape_interval__ ?? '';
  const intervalMs = parsePromDuration(interval);
  if (intervalMs === undefined) {
    return fail(`error parsing scrape interval: not a valid duration string: "${interval}"`);
  }
  if (intervalMs === 0) return fail('scrape interval cannot be 0');
  const timeout = lb.__scrape_timeout__ ?? '';
  const timeoutMs = parsePromDuration(timeout);
  if (timeoutMs === undefined) {
    return fail(`error parsing scrape timeout: not a valid duration string: "${timeout}"`);
  }
  if (timeoutMs === 0) return fail('scrape timeout cannot be 0');
  if (timeoutMs > intervalMs) {
    return fail(
      `scrape timeout cannot be greater than scrape interval ("${timeout}" > "${interval}")`,
    );
  }

  for (const name of Object.keys(lb)) {
    if (name.startsWith('__meta_')) delete lb[name];
  }
  if (lb.instance === undefined || lb.instance === '') lb.instance = addr;
  for (const [name, value] of Object.entries(lb)) {
    if (!LABEL_NAME.test(name)) return fail(`invalid label name for "${name}"`);
    if (value.includes('\ufffd')) return fail(`invalid label value for "${name}": "${value}"`);
  }
  const labels = sortLabels(lb);
  return {
    kind: 'active',
    target: {
      labels,
      discoveredLabels,
      url: targetUrl(labels),
      intervalMs,
      timeoutMs,
      key: labelsKey(labels),
    },
  };
}

/** The labels stored with every sample: those not starting with `__`. */
export function publicLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const [name, value] of Object.entries(labels)) {
    if (!name.startsWith('__')) out[name] = value;
  }
  return out;
}

/** scheme://address/path?params, with `__param_*` labels as the query (first value wins). */
export function targetUrl(labels: Labels): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(labels)) {
    if (name.startsWith('__param_')) params.set(name.slice('__param_'.length), value);
  }
  const query = params.toString();
  const path = labels.__metrics_path__ ?? '/metrics';
  return `${labels.__scheme__ ?? 'http'}://${labels.__address__}${path}${query ? `?${query}` : ''}`;
}

export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\xff${labels[name]}\xff`;
  return key;
}

/** Go's SplitHostPort fails with "missing port" (so Prometheus adds the scheme's port). */
function needsPort(addr: string): boolean {
  if (addr.startsWith('[')) return !addr.includes(']:');
  return !addr.includes(':');
}
