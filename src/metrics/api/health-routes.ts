import type { FastifyInstance } from 'fastify';
import { messageOf } from './http.js';
import type { PrometheusApiDeps } from './types.js';

/** /-/healthy, /-/ready and (with deps.reload) /-/reload, with Prometheus's plain-text bodies. */
export function registerHealthRoutes(app: FastifyInstance, deps: PrometheusApiDeps): void {
  const text = 'text/plain; charset=utf-8';
  // Fastify answers HEAD for every GET route itself.
  for (const method of ['GET'] as const) {
    app.route({
      method,
      url: '/-/healthy',
      handler: async (_req, reply) => reply.type(text).send('Prometheus Server is Healthy.\n'),
    });
    app.route({
      method,
      url: '/-/ready',
      handler: async (_req, reply) =>
        deps.ready()
          ? reply.type(text).send('Prometheus Server is Ready.\n')
          : reply.code(503).type(text).send('Service Unavailable\n'),
    });
  }
  const reload = deps.reload;
  if (!reload) return;
  for (const method of ['POST', 'PUT'] as const) {
    app.route({
      method,
      url: '/-/reload',
      handler: async (_req, reply) => {
        if (!deps.enableLifecycle) {
          return reply.code(403).type(text).send('Lifecycle API is not enabled.');
        }
        try {
          await reload();
          return reply.type(text).send('');
        } catch (err) {
          return reply
            .code(500)
            .type(text)
            .send(`failed to reload config: ${messageOf(err)}\n`);
        }
      },
    });
  }
}
