/**
 * One call from the gateway to a service: a keep-alive connection pool per upstream (undici), a
 * timeout per call, a circuit breaker per upstream (a service that keeps failing is answered for at
 * once instead of being waited on), and the failure mapped to problem+json: 504 when it did not answer
 * in time, 503 when it is down or its circuit is open, 502 when it answered with something that is not HTTP.
 */
import { Pool as ConnectionPool } from 'undici';
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
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const NETWORK_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class Upstream {
  private readonly breaker: CircuitBreaker;
  private readonly pool: ConnectionPool;

  constructor(
    readonly service: string,
    baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.breaker = new CircuitBreaker({ name: service, failureThreshold: 5, cooldownMs: 5000 });
    this.pool = new ConnectionPool(baseUrl, {
      connections: 64,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    });
  }

  async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<UpstreamResponse> {
    try {
      return await this.breaker.run(async () => {
        const res = await this.pool.request({ method, path, headers, body });
        const out = { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
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

  close(): Promise<void> {
    return this.pool.close();
  }

  private classify(err: unknown): UpstreamError {
    if (err instanceof CircuitOpenError)
      return new UpstreamError(
        503,
        this.service,
        `The ${this.service} service is unavailable (circuit open); retry later`,
      );
    const code = (err as { code?: string }).code ?? '';
    if (TIMED_OUT.has(code))
      return new UpstreamError(
        504,
        this.service,
        `The ${this.service} service did not answer within ${this.timeoutMs} ms`,
      );
    if (NETWORK_DOWN.has(code))
      return new UpstreamError(503, this.service, `The ${this.service} service is unavailable; retry later`);
    return new UpstreamError(502, this.service, `The ${this.service} service gave an invalid response`);
  }
}
