/**
 * A minimal circuit breaker. After `failureThreshold` consecutive failures it opens: calls fail fast
 * (no network round trip, no timeout to wait for) for `cooldownMs`; then one trial call is let
 * through (half-open) and its outcome closes or re-opens the circuit.
 */
export class CircuitOpenError extends Error {
  constructor(name: string) {
    super(`circuit ${name} is open`);
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreakerOptions {
  name: string;
  failureThreshold?: number;
  cooldownMs?: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight))
      throw new CircuitOpenError(this.options.name);
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.failures = 0;
      this.openedAt = null;
      return result;
    } catch (err) {
      this.failures += 1;
      if (trial || this.failures >= this.failureThreshold) this.openedAt = this.now();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }
}
