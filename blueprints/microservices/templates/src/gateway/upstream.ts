/**
 * One call from the gateway to a service: a timeout per call, a circuit breaker per upstream (a service
 * that keeps failing is answered for at once instead of being waited on), and the failure mapped to
 * problem+json: 504 when it did not answer in time, 503 when it is down or its circuit is open, 502
 * when it answered with something that is not HTTP.
 */
import { CircuitBreaker, CircuitOpenError } from '../cache/circuit-breaker.js';

export class UpstreamError extends Error {
  constructor(
    readonly status: 502 | 503 | 504,
    readonly service: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

const NETWORK_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

export class Upstream {
  private readonly breaker: CircuitBreaker;

  constructor(
    readonly service: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.breaker = new CircuitBreaker({ name: service, failureThreshold: 5, cooldownMs: 5000 });
  }

  async call(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<UpstreamResponse> {
    try {
      return await this.breaker.run(async () => {
        const res = await fetch(new URL(path, this.baseUrl), {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual',
        });
        const out = { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
        // A 5xx counts against the circuit; it is still passed on as the service's own answer.
        if (out.status >= 500)
          throw Object.assign(new Error(`${this.service} answered ${out.status}`), { response: out });
        return out;
      });
    } catch (err) {
      const response = (err as { response?: UpstreamResponse }).response;
      if (response) return response;
      throw this.classify(err);
    }
  }

  private classify(err: unknown): UpstreamError {
    if (err instanceof CircuitOpenError)
      return new UpstreamError(
        503,
        this.service,
        `The ${this.service} service is unavailable (circuit open); retry later`,
      );
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return new UpstreamError(
        504,
        this.service,
        `The ${this.service} service did not answer within ${this.timeoutMs} ms`,
      );
    if (e.cause?.code && NETWORK_DOWN.has(e.cause.code))
      return new UpstreamError(503, this.service, `The ${this.service} service is unavailable; retry later`);
    return new UpstreamError(502, this.service, `The ${this.service} service gave an invalid response`);
  }
}
