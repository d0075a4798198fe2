/**
 * The distributor's ingestion limiter: a token bucket of bytes refilled at
 * `ingestion_rate_mb` per second, holding at most `ingestion_burst_size_mb`
 * (Loki's MB is 2^20 bytes). A push larger than the burst never fits.
 */
export class IngestionRateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly bytesPerSecond: number,
    readonly burstBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burstBytes;
    this.last = now();
  }

  static fromMb(rateMb: number, burstMb: number): IngestionRateLimiter {
    return new IngestionRateLimiter(rateMb * 1024 * 1024, burstMb * 1024 * 1024);
  }

  allow(bytes: number): boolean {
    const t = this.now();
    this.tokens = Math.min(
      this.burstBytes,
      this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond,
    );
    this.last = t;
    if (bytes > this.tokens) return false;
    this.tokens -= bytes;
    return true;
  }
}
