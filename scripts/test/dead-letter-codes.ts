import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The source that decides a dead letter's code: the four services, and the packages whose errors they
 * dead-letter with their own code — the event contracts (an event that breaks its contract), the mapping
 * core, the upstream clients and the messaging plumbing (malformed, poison, unhandled, unknown failures).
 */
export const codeSources = [
  'packages/contracts/src',
  'packages/mapping/src',
  'packages/clients/src',
  'packages/messaging/src',
  'services/primero-poller/src',
  'services/oscar-poller/src',
  'services/primero-writer/src',
  'services/oscar-writer/src',
];

/** What a code looks like: upper-case letters, digits and `_`, e.g. `UNKNOWN_PROVINCE`. */
const codeShape = /^[A-Z][A-Z0-9_]{2,}$/;

export interface FoundCode {
  code: string;
  /** `file:line` of the first place it was found. */
  where: string;
}

/**
 * Every code a dead letter can carry, read from the code itself (the TypeScript syntax, not a list kept by
 * hand), wherever a failure's code is decided:
 * - the members of a union type whose name ends in `Code` (`MappingErrorCode`, `UpstreamErrorCode`);
 * - a `code` property's literal types (`code: 'NO_MATCHING_REFERRAL' | 'AMBIGUOUS_REFERRAL'`) and the
 *   literals of a `code:` value (`code: organization === null ? 'MISSING_KEY' : 'UNKNOWN_ORGANIZATION'`);
 * - the literals of the code argument of `new PermanentError(…)` and `new RetryableError(…)`;
 * - in the contracts, a `reason` property's literal types: the consumer dead-letters an event that breaks
 *   its contract with that reason as its code.
 */
export function deadLetterCodes(): FoundCode[] {
  const found = new Map<string, string>();
  for (const dir of codeSources) {
    for (const file of sourceFiles(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const relative = file.slice(root.length);
      const add = (node: ts.Node) => {
        for (const literal of literalsIn(node)) {
          if (!codeShape.test(literal.text) || found.has(literal.text)) continue;
          const { line } = source.getLineAndCharacterOfPosition(literal.getStart(source));
          found.set(literal.text, `${relative}:${line + 1}`);
        }
      };
      const visit = (node: ts.Node) => {
        if (ts.isTypeAliasDeclaration(node) && node.name.text.endsWith('Code')) add(node.type);
        if (ts.isPropertySignature(node) && node.type && propertyName(node.name) === 'code') add(node.type);
        if (
          ts.isPropertySignature(node) &&
          node.type &&
          propertyName(node.name) === 'reason' &&
          relative.startsWith('packages/contracts/')
        ) {
          add(node.type);
        }
        if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'code') add(node.initializer);
        if (
          ts.isNewExpression(node) &&
          ts.isIdentifier(node.expression) &&
          ['PermanentError', 'RetryableError'].includes(node.expression.text) &&
          node.arguments?.[0]
        ) {
          add(node.arguments[0]);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return [...found].map(([code, where]) => ({ code, where })).sort((a, b) => a.code.localeCompare(b.code));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function propertyName(name: ts.PropertyName): string | null {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : null;
}

/** The string literals in an expression or a type: values (`'X'`) and literal types (`'X' | 'Y'`). */
function literalsIn(node: ts.Node): ts.StringLiteral[] {
  const out: ts.StringLiteral[] = [];
  const visit = (child: ts.Node) => {
    if (ts.isStringLiteral(child)) out.push(child);
    ts.forEachChild(child, visit);
  };
  visit(node);
  return out;
}
