import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../src/cache/circuit-breaker.js';

describe('circuit breaker', () => {
  const failing = () => Promise.reject(new Error('down'));

  it('opens after the threshold, fails fast, then lets one trial through after the cooldown', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ name: 't', failureThreshold: 2, cooldownMs: 1000, now: () => now });
    await expect(breaker.run(failing)).rejects.toThrow('down');
    await expect(breaker.run(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(breaker.run(() => Promise.resolve(1))).rejects.toBeInstanceOf(CircuitOpenError);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.run(() => Promise.resolve(2))).resolves.toBe(2);
    expect(breaker.state).toBe('closed');
  });

  it('re-opens when the trial fails', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ name: 't', failureThreshold: 1, cooldownMs: 10, now: () => now });
    await expect(breaker.run(failing)).rejects.toThrow();
    now = 10;
    await expect(breaker.run(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });
});
