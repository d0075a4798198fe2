import type { FastifyInstance } from 'fastify';
import { registerRemoteWriteReceiver } from '../remote/receiver/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerFederate } from './federate.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerQueryRoutes } from './query-routes.js';
import { registerSeriesRoutes } from './series-routes.js';
import { registerStatusRoutes } from './status-routes.js';
import type { PrometheusApiDeps } from './types.js';

export type { PrometheusApiDeps } from './types.js';
export { buildInfo, PROMETHEUS_COMPAT_VERSION } from './build-info.js';

/**
 * Prometheus's HTTP API (web/api/v1 of v2.52) over the store and the PromQL
 * engine, plus /federate, /-/healthy, /-/ready and the remote-write receiver.
 * Routes live in their own plugin scope so the form and protobuf body parsers
 * added here do not leak into the host app.
 */
export function registerPrometheusApi(app: FastifyInstance, deps: PrometheusApiDeps): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 << 20 },
      (_req, body, done) => done(null, body),
    );
    registerQueryRoutes(scope, deps);
    registerSeriesRoutes(scope, deps);
    registerStatusRoutes(scope, deps);
    registerAdminRoutes(scope, deps);
    registerFederate(scope, deps);
    registerHealthRoutes(scope, deps);
    registerRemoteWriteReceiver(scope, {
      appendable: deps.store,
      enabled: deps.enableRemoteWriteReceiver,
      onMetadata: deps.store.setMetadata?.bind(deps.store),
    });
  });
}
