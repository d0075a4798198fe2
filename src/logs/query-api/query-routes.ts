import { LogqlRequestError, parseLogQL, runQuery } from '../logql/index.js';
import { lokiStats, queryData } from './format.js';
import type { QueryApiContext, RouteHandler } from './index.js';
import {
  parseBounds,
  parseDirection,
  parseInterval,
  parseLimit,
  parseStep,
  parseTimestamp,
} from './params.js';

const DEFAULT_MAX_POINTS = 11000;

/** `/query` and `/query_range`. */
export function registerQueryRoutes(
  route: (path: string, h: RouteHandler) => void,
  ctx: QueryApiContext,
): void {
  route('/loki/api/v1/query_range', async (p, signal) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    if (endNs < startNs) {
      throw new LogqlRequestError('end timestamp must not be before or equal to start time');
    }
    const limit = parseLimit(p.get('limit'));
    const direction = parseDirection(p.get('direction'));
    const stepNs = parseStep(p, startNs, endNs);
    const maxPoints = BigInt(ctx.limits.maxPointsPerSeries ?? DEFAULT_MAX_POINTS);
    if ((endNs - startNs) / stepNs > maxPoints) {
      throw new LogqlRequestError(
        `exceeded maximum resolution of ${maxPoints.toLocaleString('en-US')} points per time series. Try increasing the value of the step parameter`,
      );
    }
    const intervalNs = parseInterval(p);
    return execute(
      ctx,
      p.get('query') ?? '',
      { startNs, endNs, stepNs, intervalNs, limit, direction, instant: false },
      signal,
    );
  });

  route('/loki/api/v1/query', async (p, signal) => {
    const timeNs = parseTimestamp(p.get('time'), ctx.now());
    const limit = parseLimit(p.get('limit'));
    const direction = parseDirection(p.get('direction'));
    return execute(
      ctx,
      p.get('query') ?? '',
      { startNs: timeNs, endNs: timeNs, limit, direction, instant: true },
      signal,
    );
  });
}

async function execute(
  ctx: QueryApiContext,
  query: string,
  r: {
    startNs: bigint;
    endNs: bigint;
    stepNs?: bigint;
    intervalNs?: bigint;
    limit: number;
    direction: 'forward' | 'backward';
    instant: boolean;
  },
  signal: AbortSignal,
): Promise<unknown> {
  const started = process.hrtime.bigint();
  const expr = parseLogQL(query);
  if (expr.kind === 'log' && r.limit > ctx.limits.maxEntriesLimitPerQuery) {
    throw new LogqlRequestError(
      `max entries limit per query exceeded, limit > max_entries_limit (${r.limit} > ${ctx.limits.maxEntriesLimitPerQuery})`,
    );
  }
  const lookback = ctx.limits.maxQueryLookbackMs;
  let startNs = r.startNs;
  if (lookback !== undefined && lookback > 0) {
    const earliest = ctx.now() - BigInt(lookback) * 1000000n;
    if (startNs < earliest) startNs = earliest;
  }
  const stats = { linesProcessed: 0, bytesProcessed: 0 };
  const result = await runQuery(
    ctx.reader,
    {
      query,
      expr,
      startNs,
      endNs: r.endNs,
      ...(r.stepNs !== undefined ? { stepNs: r.stepNs } : {}),
      ...(r.intervalNs ? { intervalNs: r.intervalNs } : {}),
      instant: r.instant,
      direction: r.direction,
      limit: r.limit,
      maxSeries: ctx.limits.maxQuerySeries,
      signal,
    },
    stats,
  );
  const data = queryData(result, r.direction);
  const execTimeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    status: 'success',
    data: {
      resultType: data.resultType,
      result: data.result,
      stats: lokiStats({ execTimeSeconds, ...stats, entriesReturned: data.entries }),
    },
  };
}
