/**
 * Queries for the differential test against a real Prometheus, built from
 * templates over the generated data (counters, gauges, a classic histogram,
 * gappy gauges). `ordered` marks results whose order is defined.
 */
export interface DiffQuery {
  expr: string;
  ordered: boolean;
}

const COUNTERS = [
  'http_requests_total',
  'http_requests_total{job="api"}',
  'http_requests_total{code=~"5.."}',
  'http_requests_total{job!="db",instance=~"a|b"}',
];
const GAUGES = ['node_temp', 'node_temp{sensor="cpu"}', 'sparse_gauge', '{__name__=~"node_.*"}'];
const RANGES = ['1m', '5m', '17m'];
const COUNTER_FUNCS = ['rate', 'irate', 'increase', 'resets', 'changes'];
const GAUGE_RANGE_FUNCS = [
  'delta',
  'idelta',
  'deriv',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'present_over_time',
];
const MATH = [
  'abs',
  'ceil',
  'floor',
  'round',
  'sqrt',
  'ln',
  'log2',
  'log10',
  'sgn',
  'exp',
  'sin',
  'cos',
  'deg',
  'rad',
];
const AGGRS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const GROUPINGS = ['', ' by (job)', ' without (instance)', ' by (job, code)'];

/** A deterministic generator (LCG) for the random part of the query set. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * Random compositions of selectors, range functions, math functions,
 * aggregations, subqueries and operators, `count` of them from a fixed seed.
 */
export function randomQueries(count: number, seed = 7): DiffQuery[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const scalar = (): string => pick(['2', '0.5', '100', '-3', '1e3']);
  const instant = (depth: number): string => {
    const r = depth <= 0 ? 0 : Math.floor(rand() * 7);
    switch (r) {
      case 0:
        return pick([...COUNTERS, ...GAUGES]);
      case 1:
        return `${pick(COUNTER_FUNCS)}(${pick(COUNTERS)}[${pick(RANGES)}])`;
      case 2:
        return `${pick(['abs', 'ceil', 'floor', 'sqrt', 'ln', 'sgn'])}(${instant(depth - 1)})`;
      case 3:
        return `${pick(AGGRS)}${pick(GROUPINGS)} (${instant(depth - 1)})`;
      case 4:
        return `${instant(depth - 1)} ${pick(['+', '-', '*', '/', '%', '^', '>', '<=', '== bool'])} ${scalar()}`;
      case 5:
        return `${pick(GAUGE_RANGE_FUNCS)}((${instant(depth - 1)})[${pick(['5m', '10m'])}:${pick(['', '1m', '30s'])}])`;
      default:
        return `sum by (job) (${instant(depth - 1)}) ${pick(['/', '-', 'and', 'or', 'unless'])} on(job) sum by (job) (${instant(depth - 1)})`;
    }
  };
  return Array.from({ length: count }, () => ({ expr: instant(3), ordered: false }));
}

export function differentialQueries(): DiffQuery[] {
  const q: DiffQuery[] = [];
  const add = (expr: string, ordered = false): void => {
    q.push({ expr, ordered });
  };
  for (const s of [...COUNTERS, ...GAUGES]) add(s);
  add('http_requests_total offset 5m');
  add('node_temp offset -10m');
  add(`node_temp @ ${1_700_000_000 + 3600}`);
  add('sparse_gauge @ start()');
  add('http_requests_total @ end() offset 1m');
  for (const f of COUNTER_FUNCS) {
    for (const r of RANGES) add(`${f}(${COUNTERS[r === '5m' ? 0 : 2]}[${r}])`);
  }
  for (const f of GAUGE_RANGE_FUNCS) {
    add(`${f}(node_temp[5m])`);
    add(`${f}(sparse_gauge[3m])`);
  }
  add('quantile_over_time(0.9, node_temp[10m])');
  add('quantile_over_time(0.25, sparse_gauge[10m])');
  add('predict_linear(node_temp[10m], 600)');
  add('holt_winters(node_temp[10m], 0.5, 0.3)');
  add('absent_over_time(sparse_gauge{id="1"}[2m])');
  add('absent_over_time(nonexistent{job="x"}[5m])');
  add('rate(http_requests_total[5m] offset 10m)');
  for (const m of MATH) add(`${m}(node_temp / 10)`);
  add('round(node_temp, 0.5)');
  add('clamp(node_temp, 40, 45)');
  add('clamp_min(node_temp, 42)');
  add('clamp_max(sparse_gauge, 50)');
  add('timestamp(sparse_gauge)');
  add('timestamp(node_temp offset 1m)');
  add('scalar(sum(node_temp))');
  add('scalar(node_temp)');
  add('vector(time())');
  add('time() - timestamp(sparse_gauge)');
  add('hour(timestamp(node_temp))');
  add('minute()');
  add('day_of_week()');
  add('days_in_month(vector(1709251200))');
  add('absent(nonexistent{job="x", env=~"p.*"})');
  add('absent(node_temp)');
  add('label_replace(node_temp, "host", "h-$1", "instance", "(.*)")');
  add('label_replace(node_temp, "sensor", "", "sensor", "cpu")');
  add('label_join(node_temp, "id", "/", "instance", "sensor")');
  add('sort(node_temp)', true);
  add('sort_desc(rate(http_requests_total[5m]))', true);
  for (const a of AGGRS) {
    for (const g of GROUPINGS) add(`${a}${g} (rate(http_requests_total[5m]))`);
  }
  for (const g of GROUPINGS) {
    add(`topk${g} (2, rate(http_requests_total[5m]))`);
    add(`bottomk${g} (1, http_requests_total)`);
    add(`quantile${g} (0.75, rate(http_requests_total[5m]))`);
  }
  add('count_values("value", floor(node_temp))');
  add('count_values by (sensor) ("t", round(node_temp))');
  add('sum(node_temp) by (sensor)');
  add('avg without (sensor) (node_temp)');
  add('topk(3, node_temp)', true);
  add('bottomk(2, sparse_gauge)', true);
  add('histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))');
  add('histogram_quantile(0.5, rate(request_duration_seconds_bucket[10m]))');
  add('histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[5m])))');
  add('histogram_quantile(1.5, sum by (le) (request_duration_seconds_bucket))');
  add('rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])');
  add('node_temp > 42');
  add('node_temp > bool 42');
  add('42 < node_temp');
  add('node_temp == on(instance, sensor) node_temp');
  add('node_temp - node_temp offset 5m');
  add('2 ^ (node_temp / 20)');
  add('node_temp % 3');
  // `+ 0`: atan2 drops the metric name since Prometheus 2.46 (PR 12595); the 2.42 peer keeps it.
  add('node_temp atan2 40 + 0');
  add('-node_temp');
  add('1 + 2 * 3 - 4 / 5 ^ 2');
  add('(1 > bool 2) + (2 >= bool 2)');
  add('http_requests_total and on(job) http_requests_total{code="500"}');
  add('http_requests_total{code="200"} or http_requests_total{job="db"}');
  add('http_requests_total unless on(job) http_requests_total{job="api"}');
  add('sparse_gauge or vector(0)');
  add(
    'rate(http_requests_total[5m]) / on(job, instance) group_left sum by (job, instance) (rate(http_requests_total[5m]))',
  );
  add(
    'sum by (job, instance) (rate(http_requests_total[5m])) / on(job, instance) group_right() rate(http_requests_total[5m])',
  );
  add('node_temp * on(instance) group_left(code) http_requests_total{job="api",code="200"}');
  add('http_requests_total + ignoring(code) http_requests_total{code="200"}');
  add('http_requests_total + on(job) http_requests_total');
  add('sum(http_requests_total) + sum(node_temp)');
  add('max_over_time(rate(http_requests_total[1m])[10m:1m])');
  add('avg_over_time(node_temp[5m:30s])');
  add('rate(http_requests_total[5m:])');
  add('min_over_time(sum by (job) (rate(http_requests_total[2m]))[15m:2m] offset 3m)');
  add('max_over_time(sparse_gauge[7m:45s])');
  add('sum_over_time(node_temp[10m:1m] @ end())');
  add('count_over_time({__name__=~"sparse.*"}[30m])');
  add('deriv(sparse_gauge[20m])');
  add('changes(sparse_gauge[30m])');
  add('increase(http_requests_total{code="500"}[1h])');
  add('irate(http_requests_total[30s])');
  add('rate(http_requests_total[45s])');
  add('stddev by (sensor) (node_temp)');
  add('quantile(0.1, node_temp)');
  add('group by (job) (http_requests_total)');
  add('count(count by (job) (http_requests_total))');
  add('sum(rate(http_requests_total[5m])) without (code, instance)');
  add('nonexistent');
  add('rate(nonexistent[5m])');
  add('sum(nonexistent)');
  add('1');
  add('-1.5e3');
  add('"a string"');
  add('pi()');
  add('http_requests_total{job=~"(?i)API"}');
  add('node_temp{sensor!~"c.u"}');
  // Errors: both sides must fail with the same errorType and message.
  add('node_temp{');
  add('sum(node_temp');
  add('rate(node_temp)');
  add('node_temp[5m] + 1');
  add('label_replace(node_temp, "a-b", "x", "instance", ".*")');
  add('topk(1e30, node_temp)');
  add('{__name__=~"node_temp|sparse_gauge"} * 2');
  add('holt_winters(node_temp[10m], 1.5, 0.5)');
  const seen = new Set<string>();
  return [...q, ...randomQueries(200)].filter((x) => !seen.has(x.expr) && seen.add(x.expr));
}
