import ts from 'typescript';
import { findAll, propName } from '../../analysis/source.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

const SECRET_NAME = /(secret|passw(or)?d|pwd|api_?key|private_?key|access_?key|auth_?token|credential)/i;
const KNOWN_FORMATS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\b(postgres(ql)?|redis|rediss|mysql|amqp):\/\/[^:/\s]+:[^@/\s]+@/, 'a connection string with a password'],
  [/\b(sk|pk)_(live|test)_[0-9a-zA-Z]{16,}\b/, 'a payment API key'],
  [/\bgh[pousr]_[0-9A-Za-z]{36}\b/, 'a GitHub token'],
];

function looksLikeSecretValue(v: string): boolean {
  if (v.length < 8) return false;
  if (/\s/.test(v)) return false; // a sentence (a message, a description)
  if (/^[A-Z][A-Z0-9_]*$/.test(v)) return false; // the name of an env var
  if (/^[./]/.test(v) || /^[a-z]+\/[a-z+.-]+$/.test(v)) return false; // a path or a media type
  return true;
}

/** Secrets come from the environment only: no credential literal in application source. */
export const noSecretLiterals: Check = {
  id: 'code.no-secret-literals',
  title: 'No secret literals in source (secrets only from the environment)',
  seed: seed('s000', 'Security Checklist: Secrets management (env vars, vault)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const problems: Evidence[] = [];
    for (const { sf } of sources.all.filter((s) => !/\.(test|spec)\.ts$/.test(s.file) && !s.file.startsWith('test/'))) {
      for (const lit of findAll(sf, (n): n is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n))) {
        const value = lit.text;
        for (const [re, what] of KNOWN_FORMATS) if (re.test(value)) problems.push({ ...sources.at(lit, `${what}: ${mask(value)}`) });
        const name = holderName(lit);
        if (name && SECRET_NAME.test(name) && looksLikeSecretValue(value)) problems.push({ ...sources.at(lit, `${name} = ${mask(value)} (a literal)`) });
      }
    }
    return verdict(
      problems,
      { summary: 'No credential literal in src/ or scripts/; secrets are read from the environment (validated at boot)' },
      { summary: `${problems.length} secret literal(s) in source`, fix: 'Read the value from the environment through src/config.ts (e.g. config.JWT_SECRET) and put a placeholder in .env.example; rotate the leaked secret.' },
    );
  },
};

/** The name a literal is bound to: `secret: '…'`, `const password = '…'`, `process.env.JWT_SECRET ?? '…'`, `f(…, { secret })`. */
function holderName(lit: ts.Node): string | undefined {
  const p = lit.parent;
  if (ts.isPropertyAssignment(p) && p.initializer === lit) return propName(p.name);
  if (ts.isVariableDeclaration(p) && p.initializer === lit && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isParameter(p) && p.initializer === lit && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isBinaryExpression(p) && p.right === lit) {
    const k = p.operatorToken.kind;
    if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.BarBarToken) return p.left.getText();
    if (k === ts.SyntaxKind.EqualsToken) return p.left.getText();
  }
  if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && /^(sign|verify|createHmac)$/.test(p.expression.name.text) && p.arguments[1] === lit) return 'secret';
  return undefined;
}

function mask(v: string): string {
  return v.length <= 8 ? '********' : `${v.slice(0, 4)}…${v.slice(-2)} (${v.length} chars)`;
}
