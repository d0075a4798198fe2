/**
 * A configuration problem the user must fix before obs starts: it names the
 * file, the line and the key, says what is wrong and how to fix it.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
    readonly problem: string,
    readonly fix?: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    const what = key === undefined ? problem : `${key}: ${problem}`;
    super(`${where}: ${what}${fix ? `\n  fix: ${fix}` : ''}`);
    this.name = 'ConfigError';
  }
}
