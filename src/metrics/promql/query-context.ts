import type { LabelMatcher } from '../../common/labels.js';
import type { Queryable, SelectHints, Series } from '../queryable.js';
import { PromQLError } from './errors.js';

/** How long evaluation runs before letting the event loop serve others. */
const YIELD_MS = 20;

export interface QueryContextOptions {
  queryable: Queryable;
  /** The top-level query's start and end, which `@ start()` and `@ end()` refer to. */
  queryStartMs: number;
  queryEndMs: number;
  lookbackDeltaMs: number;
  /** Resolution of subqueries written without a step (`[1h:]`). */
  subqueryStepMs: number;
  maxSamples: number;
  deadlineMs: number;
  signal: AbortSignal | undefined;
}

/** What all evaluators of one query share: storage, limits and the sample count. */
export class QueryContext {
  private currentSamples = 0;
  private checks = 0;

  constructor(readonly opts: QueryContextOptions) {}

  private lastYield = Date.now();

  /**
   * Raises cancellation and timeout; cheap enough to call per step or per
   * series. Every YIELD_MS it also yields to the event loop, so that one
   * long query neither starves the other roles of this process nor misses
   * its client going away.
   */
  async check(): Promise<void> {
    if ((++this.checks & 63) !== 0) return;
    const now = Date.now();
    if (now - this.lastYield >= YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
    }
    this.checkNow();
  }

  checkNow(): void {
    if (this.opts.signal?.aborted) {
      throw new PromQLError('canceled', 'query was canceled in query execution');
    }
    if (Date.now() > this.opts.deadlineMs) {
      throw new PromQLError('timeout', 'query timed out in query execution');
    }
  }

  addSamples(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.opts.maxSamples) {
      throw new PromQLError(
        'execution',
        'query processing would load too many samples into memory in query execution',
      );
    }
  }

  releaseSamples(n: number): void {
    this.currentSamples -= n;
  }

  async select(
    matchers: LabelMatcher[],
    mintMs: number,
    maxtMs: number,
    hints: SelectHints,
  ): Promise<Series[]> {
    this.checkNow();
    const querier = await this.opts.queryable.querier(mintMs, maxtMs);
    try {
      return await querier.select(matchers, hints);
    } finally {
      await querier.close();
    }
  }
}
