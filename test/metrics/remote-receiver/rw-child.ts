// Child process for crash.test.ts: a store behind the remote-write receiver,
// until the parent kills it with SIGKILL. Prints its port.
import Fastify from 'fastify';
import { registerRemoteWriteReceiver } from '../../../src/metrics/remote/receiver/index.js';
import { openMetricsStore } from '../../../src/metrics/storage/index.js';

const store = await openMetricsStore({ dir: process.argv[2]!, retentionMs: 0 });
const app = Fastify();
registerRemoteWriteReceiver(app, { appendable: store, enabled: true });
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
