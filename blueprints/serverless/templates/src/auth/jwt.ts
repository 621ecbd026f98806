/**
 * HS256 JSON Web Tokens with WebCrypto (crypto.subtle): the Workers runtime has no jsonwebtoken, and
 * needs none. Verification checks the signature in constant time (crypto.subtle.verify), the algorithm
 * in the header, and the expiry.
 */
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

export interface Claims {
  sub: string;
  role: string;
  iat: number;
  exp: number;
  /** Further claims this API signs (e.g. a tenant): read, like all claims, only from a verified token. */
  [claim: string]: unknown;
}

export async function signJwt(
  claims: Pick<Claims, 'sub' | 'role'> & Record<string, string>,
  secret: string,
  expiresInSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(encoder.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = base64url(encoder.encode(JSON.stringify({ ...claims, iat: now, exp: now + expiresInSeconds })));
  const signature = new Uint8Array(
    await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${header}.${payload}`)),
  );
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The claims of a valid, unexpired token; null for anything else. */
export async function verifyJwt(token: string, secret: string): Promise<Claims | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const h = JSON.parse(new TextDecoder().decode(fromBase64url(header))) as { alg?: unknown };
    if (h.alg !== 'HS256') return null;
    const valid = await crypto.subtle.verify(
      'HMAC',
      await hmacKey(secret),
      fromBase64url(signature),
      encoder.encode(`${header}.${payload}`),
    );
    if (!valid) return null;
    const claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as Partial<Claims>;
    if (typeof claims.sub !== 'string' || typeof claims.role !== 'string' || typeof claims.exp !== 'number')
      return null;
    if (claims.exp <= Math.floor(Date.now() / 1000)) return null;
    return claims as Claims;
  } catch {
    return null;
  }
}
