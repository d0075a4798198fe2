import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LogPushError } from '../sink.js';
import { decodeJsonPush } from './decode-json.js';
import { decodeProtoPush } from './decode-proto.js';
import { DEFAULT_TENANT, type Distributor } from './distributor.js';
import { MalformedPushError, type RawStream } from './raw-push.js';

export interface PushApiOptions {
  distributor: Distributor;
  /** Loki's auth_enabled: pushes must then name a tenant in X-Scope-OrgID. */
  authEnabled: boolean;
  /** Largest accepted body in bytes (Loki's distributor.max-recv-msg-size, 100 MiB). */
  maxBodyBytes?: number;
}

/** `POST /loki/api/v1/push` and the legacy `/api/prom/push`, answering as Loki does. */
export async function registerPushApi(app: FastifyInstance, opts: PushApiOptions): Promise<void> {
  await app.register(async (scope) => {
    const bodyLimit = opts.maxBodyBytes ?? 100 * 1024 * 1024;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const tenant = tenantOf(req, opts.authEnabled);
      if (tenant === undefined) return plain(reply, 401, 'no org id');
      let raw: RawStream[];
      try {
        raw = decodeBody(req);
      } catch (err) {
        if (err instanceof MalformedPushError) return plain(reply, 400, err.message);
        throw err;
      }
      try {
        await opts.distributor.pushRaw(raw, tenant);
      } catch (err) {
        if (err instanceof LogPushError) return plain(reply, err.status, err.message);
        throw err;
      }
      reply.code(204).send();
    };
    scope.post('/loki/api/v1/push', { bodyLimit }, handler);
    scope.post('/api/prom/push', { bodyLimit }, handler);
  });
}

function tenantOf(req: FastifyRequest, authEnabled: boolean): string | undefined {
  if (!authEnabled) return DEFAULT_TENANT;
  const org = req.headers['x-scope-orgid'];
  const value = Array.isArray(org) ? org[0] : org;
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function decodeBody(req: FastifyRequest): RawStream[] {
  let body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  try {
    if (encoding === 'gzip') body = zlib.gunzipSync(body);
    else if (encoding === 'deflate') body = zlib.inflateSync(body);
  } catch (err) {
    throw new MalformedPushError(
      `${encoding}: invalid ${encoding} data (${(err as Error).message})`,
    );
  }
  if (encoding !== '' && encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'identity') {
    throw new MalformedPushError(`Content-Encoding "${encoding}" not supported`);
  }
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  // Loki reads JSON only when it is declared; everything else is snappy protobuf.
  if (type === 'application/json') return decodeJsonPush(body.toString('utf8'));
  return decodeProtoPush(body);
}

/** Loki answers errors with Go's http.Error: plain text and a newline. */
function plain(reply: FastifyReply, status: number, message: string): void {
  reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}
