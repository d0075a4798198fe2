import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { LogReader } from '../reader.js';
import type { LogStream } from '../sink.js';
import { compileTailQuery } from './tail-query.js';
import { TailSession, type TailRequest } from './tail-session.js';
import { parseLokiTime } from './timestamp.js';

export interface TailApiOptions {
  reader: LogReader;
  /** Subscribes to entries as they are stored; returns the unsubscribe function. */
  subscribe(listener: (streams: LogStream[]) => void): () => void;
  maxEntriesLimitPerQuery: number;
  maxConcurrentTailRequests: number;
  /** Loki's querier.tail_max_duration: the socket is closed after this long. */
  tailMaxDurationMs: number;
}

/** A tail request Loki refuses with 400 before upgrading. */
class TailRequestError extends Error {}

const MAX_DELAY_FOR_S = 5;
const DEFAULT_LIMIT = 100;
const HOUR_NS = 3_600_000_000_000n;

/** `GET /loki/api/v1/tail` over WebSocket (and the legacy `/api/prom/tail`). */
export async function registerTailApi(app: FastifyInstance, opts: TailApiOptions): Promise<void> {
  const sessions = new Set<TailSession>();
  const requests = new WeakMap<FastifyRequest, TailRequest>();
  const unsubscribe = opts.subscribe((streams) => {
    for (const s of sessions) s.offer(streams);
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    for (const s of sessions) s.close();
  });

  // Parameters are checked before the upgrade so that errors are plain HTTP answers.
  const preValidation = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const q = req.query as Record<string, string | undefined>;
    try {
      requests.set(req, parseTailRequest(q, opts.maxEntriesLimitPerQuery));
    } catch (err) {
      const msg = (err as Error).message;
      reply.code(400).type('text/plain; charset=utf-8').send(`${msg}\n`);
      return;
    }
    if (sessions.size >= opts.maxConcurrentTailRequests) {
      reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send(
          `max concurrent tail requests limit exceeded, count > limit (${sessions.size + 1} > ${opts.maxConcurrentTailRequests})\n`,
        );
    }
  };

  const handler = (socket: WebSocket, req: FastifyRequest): void => {
    const tailReq = requests.get(req)!;
    const session = new TailSession(socket, tailReq);
    sessions.add(session);
    const maxTimer = setTimeout(() => socket.close(1000), opts.tailMaxDurationMs);
    const end = (): void => {
      clearTimeout(maxTimer);
      session.close();
      sessions.delete(session);
    };
    socket.on('close', end);
    socket.on('error', end);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    session.start(opts.reader, nowNs).catch((err: unknown) => {
      req.log.error({ err }, 'tail: historical query failed');
      socket.close(1011, 'query failed');
    });
  };

  for (const url of ['/loki/api/v1/tail', '/api/prom/tail']) {
    app.get(url, { websocket: true, preValidation }, handler);
  }
}

function parseTailRequest(q: Record<string, string | undefined>, maxLimit: number): TailRequest {
  const query = compileTailQuery(q.query ?? '');
  const delay = q.delay_for === undefined || q.delay_for === '' ? 0 : Number(q.delay_for);
  if (!Number.isInteger(delay))
    throw new TailRequestError(`strconv.Atoi: parsing "${q.delay_for}": invalid syntax`);
  if (delay > MAX_DELAY_FOR_S)
    throw new TailRequestError(`delay_for can't be greater than ${MAX_DELAY_FOR_S}`);
  const limit = q.limit === undefined || q.limit === '' ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit))
    throw new TailRequestError(`strconv.ParseUint: parsing "${q.limit}": invalid syntax`);
  if (limit <= 0) throw new TailRequestError('limit must be a positive value');
  if (limit > maxLimit) {
    throw new TailRequestError(
      `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${maxLimit})`,
    );
  }
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const startNs = parseLokiTime(q.start, nowNs - HOUR_NS);
  return { query, delayMs: delay * 1000, limit, startNs };
}
