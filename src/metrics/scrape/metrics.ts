import { Counter, Gauge, Summary, register } from 'prom-client';

/**
 * The scrape manager's own metrics on obs's /metrics, with Prometheus's names
 * so its dashboards and alerts work on obs. Created once per process: several
 * scrape managers (tests, reloads) share them.
 */
export interface ScrapeMetrics {
  exceededSampleLimit: Counter;
  duplicateTimestamp: Counter;
  outOfOrder: Counter;
  outOfBounds: Counter;
  exceededLabelLimits: Counter;
  poolTargets: Gauge<'scrape_job'>;
  pools: Counter;
  poolReloads: Counter;
  poolReloadsFailed: Counter;
  intervalLength: Summary<'interval'>;
  syncLength: Summary<'scrape_job'>;
  sdFileReadErrors: Counter;
  sdHttpFailures: Counter;
  discoveredTargets: Gauge<'config' | 'name'>;
}

let metrics: ScrapeMetrics | undefined;

// Each helper returns the metric already registered under the name, if any.
function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help });
}

function gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
  return (
    (register.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({ name, help, labelNames })
  );
}

/** The scrape summaries: Prometheus's quantiles over a 10-minute window. */
function summary<L extends string>(name: string, help: string, labelNames: L[]): Summary<L> {
  return (
    (register.getSingleMetric(name) as Summary<L> | undefined) ??
    new Summary({
      name,
      help,
      labelNames,
      percentiles: [0.01, 0.05, 0.5, 0.9, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
    })
  );
}

export function scrapeMetrics(): ScrapeMetrics {
  if (metrics) return metrics;
  metrics = {
    exceededSampleLimit: counter(
      'prometheus_target_scrapes_exceeded_sample_limit_total',
      'Total number of scrapes that hit the sample limit and were rejected.',
    ),
    duplicateTimestamp: counter(
      'prometheus_target_scrapes_sample_duplicate_timestamp_total',
      'Total number of samples rejected due to duplicate timestamps but different values.',
    ),
    outOfOrder: counter(
      'prometheus_target_scrapes_sample_out_of_order_total',
      'Total number of samples rejected due to not being out of the expected order.',
    ),
    outOfBounds: counter(
      'prometheus_target_scrapes_sample_out_of_bounds_total',
      'Total number of samples rejected due to timestamp falling outside of the time bounds.',
    ),
    exceededLabelLimits: counter(
      'prometheus_target_scrape_pool_exceeded_label_limits_total',
      'Total number of times scrape pools hit the label limits, during sync or config reload.',
    ),
    poolTargets: gauge(
      'prometheus_target_scrape_pool_targets',
      'Current number of targets in this scrape pool.',
      ['scrape_job'],
    ),
    pools: counter(
      'prometheus_target_scrape_pools_total',
      'Total number of scrape pool creation attempts.',
    ),
    poolReloads: counter(
      'prometheus_target_scrape_pool_reloads_total',
      'Total number of scrape pool reloads.',
    ),
    poolReloadsFailed: counter(
      'prometheus_target_scrape_pool_reloads_failed_total',
      'Total number of failed scrape pool reloads.',
    ),
    intervalLength: summary(
      'prometheus_target_interval_length_seconds',
      'Actual intervals between scrapes.',
      ['interval'],
    ),
    syncLength: summary(
      'prometheus_target_sync_length_seconds',
      'Actual interval to sync the scrape pool.',
      ['scrape_job'],
    ),
    sdFileReadErrors: counter(
      'prometheus_sd_file_read_errors_total',
      'The number of File-SD read errors.',
    ),
    sdHttpFailures: counter(
      'prometheus_sd_http_failures_total',
      'Number of HTTP service discovery refresh failures.',
    ),
    discoveredTargets: gauge(
      'prometheus_sd_discovered_targets',
      'Current number of discovered targets.',
      ['config', 'name'],
    ),
  };
  return metrics;
}
