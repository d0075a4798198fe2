import { spawn } from 'node:child_process';

export interface JournalctlOptions {
  /** A journal directory (`-D`); the system journal when empty. */
  path: string;
  afterCursor?: string;
  /** Unix seconds: where to start without a cursor (max_age). */
  sinceSeconds?: number;
  /** `FIELD=value` terms, ANDed. */
  matches: string[];
}

export interface JournalctlProcess {
  /** Resolves with journalctl's exit code and the end of its stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
  pause(): void;
  resume(): void;
}

/**
 * `journalctl -o json --follow --merge --no-tail`: each JSON record line is handed
 * to `onLine`, from just after the cursor or since a time, until `signal`
 * aborts. `pause` stops reading the pipe, so a slow receiver holds
 * journalctl back instead of lines piling up in memory.
 */
export function journalctl(
  o: JournalctlOptions,
  onLine: (line: string) => void,
  signal: AbortSignal,
): JournalctlProcess {
  // --merge: --follow alone implies --boot=0, which would skip entries of
  // earlier boots still after the cursor (and every entry of a copied journal).
  const args = ['-o', 'json', '--follow', '--merge', '--no-tail', '--no-pager', '--quiet'];
  if (o.path) args.push('-D', o.path);
  if (o.afterCursor) args.push(`--after-cursor=${o.afterCursor}`);
  else if (o.sinceSeconds !== undefined) args.push(`--since=@${Math.floor(o.sinceSeconds)}`);
  args.push(...o.matches);
  const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  let rest = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) onLine(line);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('error', (err) => (stderr += err.message));
    child.on('close', (code) => resolve({ code, stderr: stderr.trim() }));
  });
  return {
    exited,
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
  };
}
