import http from 'node:http';
import type { Readable } from 'node:stream';

/**
 * A small Docker Engine API client: what the agent's Docker sources and the
 * container exporter need, over the daemon's unix socket, tcp:// or http://,
 * or any http(s):// host through a caller's transport. Paths are
 * unversioned, so the daemon answers with its own API version.
 */

const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** `GET /containers/json` items (the fields obs reads). */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, EndpointSettings | null> | null };
}

export interface EndpointSettings {
  NetworkID: string;
  IPAddress: string;
  [key: string]: unknown;
}

/** `GET /containers/{id}/json` (the fields obs reads; the rest is kept). */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  State: { Status: string; Running: boolean; Pid: number; StartedAt: string; FinishedAt: string };
  Config: { Tty: boolean; Image: string; Labels: Record<string, string> | null; Hostname: string };
  HostConfig: { NetworkMode: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `GET /networks` items. */
export interface NetworkSummary {
  Id: string;
  Name: string;
  Scope: string;
  Internal: boolean;
  Ingress: boolean;
  Labels: Record<string, string> | null;
}

/** `GET /events` messages. */
export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
  [key: string]: unknown;
}

export interface ContainerLogsOptions {
  follow?: boolean;
  /** Unix nanoseconds; entries at this instant or later (the daemon's `since` granularity). */
  since?: bigint;
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Number of lines from the end, or 'all' (the default). */
  tail?: number | 'all';
  /** Whether the container runs with a TTY (its output is then not multiplexed); inspected when omitted. */
  tty?: boolean;
}

/** One demultiplexed log line, without its trailing newline. */
export interface DockerLogLine {
  stream: 'stdout' | 'stderr';
  /** Unix nanoseconds: the daemon's timestamp when requested, else the time it was read. */
  timestamp: bigint;
  line: string;
}

/** A non-2xx answer: `status` and the daemon's `message`. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

type Filters = Record<string, string[]>;

/**
 * How a caller reaches an http(s):// daemon with its own HTTP client
 * settings (TLS, auth, proxy), as Docker's Go client takes an http.Client.
 * `request` resolves with the response body unread; `close` ends its connections.
 */
export interface DockerTransport {
  request(
    url: URL,
    method: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: Readable }>;
  close(): void;
}

export class DockerClient {
  readonly host: string;
  private readonly target: { socketPath: string } | { hostname: string; port: number } | URL;
  /** Short requests reuse connections; streams get their own. */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  /** With a transport, an http:// or https:// host is reached through it. */
  constructor(
    host: string = process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST,
    private readonly transport?: DockerTransport,
  ) {
    this.host = host;
    this.target = transport && /^https?:\/\//i.test(host) ? new URL(host) : parseHost(host);
  }

  ping(): Promise<string> {
    return this.text('GET', '/_ping');
  }

  async listContainers(options: { all?: boolean; filters?: Filters } = {}) {
    const query: Record<string, string> = {};
    if (options.all) query.all = '1';
    if (options.filters && Object.keys(options.filters).length > 0)
      query.filters = JSON.stringify(options.filters);
    return JSON.parse(await this.text('GET', '/containers/json', query)) as ContainerSummary[];
  }

  async inspectContainer(id: string): Promise<ContainerInspect> {
    return JSON.parse(
      await this.text('GET', `/containers/${encodeURIComponent(id)}/json`),
    ) as ContainerInspect;
  }

  async listNetworks(): Promise<NetworkSummary[]> {
    return JSON.parse(await this.text('GET', '/networks')) as NetworkSummary[];
  }

  /** One stats sample (`stream=false`); `oneShot` skips the daemon's second sample (no precpu). */
  async containerStats(
    id: string,
    options: { stream?: false; oneShot?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const query: Record<string, string> = { stream: 'false' };
    if (options.oneShot) query['one-shot'] = 'true';
    return JSON.parse(
      await this.text('GET', `/containers/${encodeURIComponent(id)}/stats`, query),
    ) as Record<string, unknown>;
  }

  /** Follows `GET /events` until `signal` aborts or the daemon closes the stream. */
  async *events(
    options: { filters?: Filters; since?: number; until?: number } = {},
    signal?: AbortSignal,
  ): AsyncGenerator<DockerEvent> {
    const query: Record<string, string> = {};
    if (options.filters) query.filters = JSON.stringify(options.filters);
    if (options.since !== undefined) query.since = String(options.since);
    if (options.until !== undefined) query.until = String(options.until);
    const res = await this.stream('/events', query, signal);
    let rest = '';
    try {
      for await (const chunk of res) {
        const text = rest + (chunk as Buffer).toString('utf8');
        const lines = text.split('\n');
        rest = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as DockerEvent;
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  /**
   * A container's log lines, stdout and stderr demultiplexed from the
   * daemon's 8-byte frame headers (TTY containers are one raw stream).
   * Ends when the container stops (follow) or the log is read, or quietly
   * when `signal` aborts.
   */
  async *containerLogs(
    id: string,
    options: ContainerLogsOptions = {},
    signal?: AbortSignal,
  ): AsyncGenerator<DockerLogLine> {
    const timestamps = options.timestamps ?? false;
    const tty = options.tty ?? (await this.inspectContainer(id)).Config.Tty;
    const query: Record<string, string> = {
      stdout: options.stdout === false ? '0' : '1',
      stderr: options.stderr === false ? '0' : '1',
      timestamps: timestamps ? '1' : '0',
      follow: options.follow ? '1' : '0',
      tail: String(options.tail ?? 'all'),
    };
    if (options.since !== undefined) query.since = formatSince(options.since);
    const res = await this.stream(`/containers/${encodeURIComponent(id)}/logs`, query, signal);
    const splitter = new LogSplitter(timestamps, tty);
    try {
      for await (const chunk of res) yield* splitter.push(chunk as Buffer);
      yield* splitter.end();
    } catch (err) {
      if (!signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
    this.transport?.close();
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string>,
    agent: http.Agent | false,
    signal?: AbortSignal,
  ): Promise<Readable> {
    const qs = new URLSearchParams(query).toString();
    const target = this.target;
    const { status, body } =
      target instanceof URL
        ? await this.transport!.request(
            new URL(qs ? `${path}?${qs}` : path, target),
            method,
            signal,
          )
        : await new Promise<{ status: number; body: Readable }>((resolve, reject) => {
            const req = http.request(
              {
                ...target,
                method,
                path: qs ? `${path}?${qs}` : path,
                headers: { Host: 'docker' },
                agent,
                signal,
              },
              (res) => resolve({ status: res.statusCode ?? 500, body: res }),
            );
            req.on('error', reject);
            req.end();
          });
    if (status < 300) return body;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // Not JSON: keep the raw body as the message.
    }
    throw new DockerApiError(status, message);
  }

  private async text(method: string, path: string, query: Record<string, string> = {}) {
    const res = await this.request(method, path, query, this.agent);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private stream(path: string, query: Record<string, string>, signal?: AbortSignal) {
    return this.request('GET', path, query, false, signal);
  }
}

function parseHost(host: string): { socketPath: string } | { hostname: string; port: number } {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  if (url.protocol !== 'http:')
    throw new Error(
      `docker host ${host}: only unix://, tcp:// and http:// are supported without client settings`,
    );
  return { hostname: url.hostname, port: Number(url.port || 2375) };
}

/** The daemon's `since`: seconds with a nanosecond fraction. */
function formatSince(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${s}.${frac}`;
}

/** RFC 3339 with up to nine fractional digits, as the daemon writes it, to Unix nanoseconds. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

const STREAMS = { 1: 'stdout', 2: 'stderr' } as const;

interface PendingLine {
  ts: bigint;
  parts: Buffer[];
  startOfFrame: boolean;
}

/**
 * Turns the logs endpoint's bytes into lines. Multiplexed output comes in
 * frames (type byte, 3 zero bytes, uint32 BE length); a message the daemon
 * split at 16 KiB arrives as frames without a trailing newline, each with
 * its own timestamp, and is joined back here.
 */
class LogSplitter {
  private header = Buffer.alloc(0);
  private frameLeft = 0;
  private frameStream: 'stdout' | 'stderr' = 'stdout';
  /** A line not yet terminated; `startOfFrame` when its next part opens a new frame (timestamped). */
  private readonly pending: Record<'stdout' | 'stderr', PendingLine | null> = {
    stdout: null,
    stderr: null,
  };
  /** TTY output is unframed, so a line may span chunks: the unterminated tail waits here. */
  private raw = Buffer.alloc(0);

  constructor(
    private readonly timestamps: boolean,
    private readonly tty: boolean,
  ) {}

  *push(chunk: Buffer): Generator<DockerLogLine> {
    if (this.tty) {
      const buf = this.raw.length ? Buffer.concat([this.raw, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        yield this.line('stdout', buf.subarray(start, end));
        start = nl + 1;
      }
      this.raw = Buffer.from(buf.subarray(start));
      return;
    }
    let off = 0;
    while (off < chunk.length) {
      if (this.frameLeft === 0) {
        const need = 8 - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(off, off + need)]);
        off += Math.min(need, chunk.length - off);
        if (this.header.length < 8) return;
        this.frameStream = STREAMS[this.header[0] as 1 | 2] ?? 'stdout';
        this.frameLeft = this.header.readUInt32BE(4);
        this.header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(this.frameLeft, chunk.length - off);
      yield* this.payload(
        this.frameStream,
        chunk.subarray(off, off + take),
        take === this.frameLeft,
      );
      this.frameLeft -= take;
      off += take;
    }
  }

  *end(): Generator<DockerLogLine> {
    if (this.raw.length) yield this.line('stdout', this.raw);
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.pending[stream];
      if (p) yield { stream, timestamp: p.ts, line: Buffer.concat(p.parts).toString('utf8') };
      this.pending[stream] = null;
    }
  }

  /** Part of one frame; `frameEnd` says whether it completes the frame. */
  private *payload(
    stream: 'stdout' | 'stderr',
    data: Buffer,
    frameEnd: boolean,
  ): Generator<DockerLogLine> {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      yield* this.piece(stream, data.subarray(start, nl), true);
      start = nl + 1;
    }
    if (start < data.length) yield* this.piece(stream, data.subarray(start), false, frameEnd);
  }

  private *piece(
    stream: 'stdout' | 'stderr',
    bytes: Buffer,
    complete: boolean,
    frameEnd = true,
  ): Generator<DockerLogLine> {
    let p = this.pending[stream];
    if (!p) {
      const { ts, body } = this.split(bytes);
      p = { ts, parts: [], startOfFrame: false };
      bytes = body;
    } else if (p.startOfFrame) {
      bytes = this.split(bytes).body;
    }
    p.parts.push(Buffer.from(bytes));
    p.startOfFrame = frameEnd && !complete;
    if (complete) {
      this.pending[stream] = null;
      yield { stream, timestamp: p.ts, line: Buffer.concat(p.parts).toString('utf8') };
    } else {
      this.pending[stream] = p;
    }
  }

  private split(bytes: Buffer): { ts: bigint; body: Buffer } {
    if (!this.timestamps) return { ts: BigInt(Date.now()) * 1_000_000n, body: bytes };
    const sp = bytes.indexOf(32);
    const ts = sp > 0 ? parseRfc3339Nano(bytes.toString('latin1', 0, sp)) : undefined;
    if (ts === undefined) return { ts: BigInt(Date.now()) * 1_000_000n, body: bytes };
    return { ts, body: bytes.subarray(sp + 1) };
  }

  private line(stream: 'stdout' | 'stderr', bytes: Buffer): DockerLogLine {
    const { ts, body } = this.split(bytes);
    return { stream, timestamp: ts, line: body.toString('utf8') };
  }
}
