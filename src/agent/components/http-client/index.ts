export { HttpClient } from './client.js';
export { httpClientArgs, httpClientSchema, withHttpClient } from './schema.js';
export { validateHttpClient } from './validate.js';
export { dockerClientFor } from './docker-host.js';
export { httpClientFromArgs, httpHeaders } from './client-from-args.js';
