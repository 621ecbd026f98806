/**
 * Who is calling: the bearer token's subject and role, or null. A route lists the roles it allows;
 * no token (or an invalid one) is 401, a valid token with another role is 403.
 */
import type { Config } from '../env.js';
import { HttpError } from '../http/problem.js';
import { verifyJwt } from './jwt.js';
import { isRole, type Role } from './roles.js';

export interface AuthPrincipal {
  id: string;
  role: Role;
}

export async function authenticate(request: Request, config: Config): Promise<AuthPrincipal | null> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const claims = await verifyJwt(match[1]!, config.JWT_SECRET);
  if (!claims || !isRole(claims.role)) return null;
  return { id: claims.sub, role: claims.role };
}

export function authorize(auth: AuthPrincipal | null, roles: readonly Role[]): AuthPrincipal {
  if (!auth) throw new HttpError(401, 'A valid bearer token is required', undefined, { 'www-authenticate': 'Bearer' });
  if (!roles.includes(auth.role)) throw new HttpError(403, `This action needs one of the roles: ${roles.join(', ')}`);
  return auth;
}
