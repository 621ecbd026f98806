/**
 * Password hashing with scrypt (node:crypto, implemented natively by workerd under nodejs_compat).
 *
 * Why not argon2: argon2id is the first choice where a native binding exists (the monolith uses
 * @node-rs/argon2), but a Worker cannot load native addons, and argon2 compiled to WebAssembly would
 * have to be instantiated from bytes at runtime, which Workers forbid. scrypt is the other memory-hard
 * function OWASP's Password Storage Cheat Sheet recommends, and the one workerd ships natively; we use
 * one of its listed configurations: N=2^15, r=8, p=3 (32 MiB per hash), which fits a Worker's
 * 128 MB memory. PBKDF2 (the only KDF in WebCrypto) is not memory-hard and Workers cap it at 100 000
 * iterations, a sixth of OWASP's 600 000 for PBKDF2-SHA256: not as strong, so not used.
 *
 * Stored as scrypt$N$r$p$salt$hash (base64url), so parameters can be raised later without breaking
 * existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 3;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/** A hash to verify against when the email is unknown, so both cases take the same time. */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('not-a-real-password'));
}
