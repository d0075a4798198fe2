/**
 * Loki's `-config.expand-env`: `${VAR}` and `$VAR` become the variable's
 * value (empty when unset); `${VAR:-default}` and Loki's older
 * `${VAR:default}` give a default when the variable is unset or empty.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(
    /\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced: string | undefined, bare: string | undefined) => {
      if (bare !== undefined) return env[bare] ?? '';
      const colon = braced!.indexOf(':');
      const name = colon >= 0 ? braced!.slice(0, colon) : braced!;
      const value = env[name] ?? '';
      if (value !== '' || colon < 0) return value;
      const fallback = braced!.slice(colon + 1);
      return fallback.startsWith('-') ? fallback.slice(1) : fallback;
    },
  );
}
