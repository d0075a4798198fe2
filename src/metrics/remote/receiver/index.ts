import type { FastifyInstance } from 'fastify';
import type { Labels } from '../../../common/labels.js';
import { SampleAppendError, type Appendable, type SampleAppender } from '../../appender.js';
import { snappyUncompress } from '../../../common/snappy.js';
import { decodeWriteRequest, type WriteMetadata } from './write-request.js';

export { decodeWriteRequest, encodeWriteRequest } from './write-request.js';
export type { WriteRequest, WriteSeries, WriteMetadata } from './write-request.js';

export interface RemoteWriteReceiverOptions {
  appendable: Appendable;
  /** --web.enable-remote-write-receiver */
  enabled: boolean;
  onMetadata?(metric: string, md: { type: string; help: string; unit: string }): void;
}

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * POST /api/v1/write: snappy-compressed prompb.WriteRequest, committed in one
 * appender (all or nothing) and acknowledged with 204 once durable. Answers as
 * storage/remote/write_handler.go: 400 with the storage error's text for out
 * of order, out of bounds and duplicate samples (so senders do not retry),
 * 400 for undecodable bodies, 500 otherwise; series with invalid labels are
 * skipped.
 */
export function registerRemoteWriteReceiver(
  app: FastifyInstance,
  opts: RemoteWriteReceiverOptions,
): void {
  app.addContentTypeParser(
    ['application/x-protobuf', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 64 << 20 },
    (_req, body, done) => done(null, body),
  );
  app.post('/api/v1/write', { bodyLimit: 64 << 20 }, async (req, reply) => {
    const text = 'text/plain; charset=utf-8';
    if (!opts.enabled) {
      return reply
        .code(404)
        .type(text)
        .send(
          'remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n',
        );
    }
    let app: SampleAppender;
    try {
      app = appendBody(opts, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    } catch (err) {
      const code = err instanceof BadBody ? 400 : err instanceof SampleAppendError ? 400 : 500;
      return reply
        .code(code)
        .type(text)
        .send(`${(err as Error).message}\n`);
    }
    try {
      await app.commit();
    } catch (err) {
      const code = err instanceof SampleAppendError ? 400 : 500;
      return reply
        .code(code)
        .type(text)
        .send(`${(err as Error).message}\n`);
    }
    return reply.code(204).send();
  });
}

class BadBody extends Error {}

/**
 * Decodes and appends one body outside the handler's async frame: only the
 * appender's typed columns wait for the WAL, not the decoded request, which
 * otherwise survived into the old generation on every request in flight.
 */
function appendBody(opts: RemoteWriteReceiverOptions, body: Buffer): SampleAppender {
  let decoded;
  try {
    decoded = decodeWriteRequest(snappyUncompress(body));
  } catch (err) {
    throw new BadBody((err as Error).message);
  }
  for (const md of decoded.metadata) emitMetadata(opts, md);
  const app = opts.appendable.appender();
  try {
    for (const ts of decoded.timeseries) {
      if (!validLabels(ts.labels)) continue;
      for (let i = 0; i < ts.timestamps.length; i++) {
        app.append(ts.labels, ts.timestamps[i]!, ts.values[i]!);
      }
    }
  } catch (err) {
    app.rollback();
    throw err;
  }
  return app;
}

function validLabels(labels: Labels): boolean {
  for (const name in labels) {
    if (!LABEL_NAME_RE.test(name)) return false;
    if (name === '__name__' && !METRIC_NAME_RE.test(labels[name]!)) return false;
  }
  return true;
}

function emitMetadata(opts: RemoteWriteReceiverOptions, md: WriteMetadata): void {
  if (!opts.onMetadata || md.metricFamilyName === '') return;
  opts.onMetadata(md.metricFamilyName, { type: md.type, help: md.help, unit: md.unit });
}
