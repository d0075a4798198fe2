import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import type { LogStream } from '../../src/logs/sink.js';
import { repoRoot } from './repo.js';

/** A query of ../shared/conformance/logql/queries.json. */
export interface ConformanceQuery {
  id: string;
  kind: string;
  query?: string;
  expect?: string;
  [key: string]: unknown;
}

interface CompareModule {
  buildRequest(q: ConformanceQuery, base: bigint): string;
  normalize(q: ConformanceQuery, status: number, body: string, base: bigint): unknown;
  diff(q: ConformanceQuery, exp: unknown, got: unknown): string | null;
}

export interface Corpus {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

interface GenModule {
  generate(opts: { base: string; lines: number; seed: string }): Corpus;
}

/** push.mjs: the corpus cut into push bodies as Loki received it, and the pusher. */
export interface PushModule {
  batchBodies(corpus: Corpus, opts: { batchSize?: number; shiftDays?: number }): Iterable<string>;
  pushBodies(
    baseUrl: string,
    bodies: Iterable<string>,
    opts?: { concurrency?: number },
  ): Promise<unknown>;
}

export const CORPUS_BASE = '2026-11-10T00:00:00Z';
export const CORPUS_BASE_NS = BigInt(Date.parse(CORPUS_BASE)) * 1000000n;

export function logqlConformanceDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'conformance', 'logql');
}

/** The conformance corpus, queries, expected answers and comparison helpers. */
export async function loadLogqlConformance(): Promise<{
  streams: LogStream[];
  corpus: Corpus;
  push: PushModule;
  queries: ConformanceQuery[];
  expected: Record<string, { response: unknown }>;
  compare: CompareModule;
}> {
  const dir = logqlConformanceDir();
  const gen = (await import(pathToFileURL(join(dir, 'gen.mjs')).href)) as GenModule;
  const compare = (await import(pathToFileURL(join(dir, 'compare.mjs')).href)) as CompareModule;
  const push = (await import(pathToFileURL(join(dir, 'push.mjs')).href)) as PushModule;
  const corpus = gen.generate({ base: CORPUS_BASE, lines: 150000, seed: 'obs-logql-public-v1' });
  const streams: LogStream[] = corpus.streams.map((s) => ({
    labels: s.stream,
    entries: s.values.map(([ts, line]) => ({ timestamp: BigInt(ts), line })),
  }));
  const queries = (
    JSON.parse(await readFile(join(dir, 'queries.json'), 'utf8')) as { queries: ConformanceQuery[] }
  ).queries;
  const expected = (
    JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as {
      queries: Record<string, { response: unknown }>;
    }
  ).queries;
  return { streams, corpus, push, queries, expected, compare };
}
