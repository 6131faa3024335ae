import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

/**
 * The repository must stand on its own: a clone has none of the reference pack the project was started from,
 * so nothing may point at it, and every `docs/…md` it cites — with the `§` sections and `#anchors` — must exist.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Names of the outside reference pack (assembled, so that this file does not mention them itself). */
const outsideNames = [
  ['shared', 'spec'].join('/'),
  ['..', 'shared'].join('/'),
  ['oscar', 'api.md'].join('-'),
  ['primero', 'api.md'].join('-'),
  ['what', 'users', 'need.md'].join('-'),
];
/** The one outside name that is also ours: allowed only as a path that resolves to our own copy. */
const legacyName = ['legacy', 'integration.md'].join('-');
const legacyDoc = `docs/${legacyName}`;

/** Tracked files plus new ones not yet committed (git-ignored build output excluded), as repo paths. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...new Set(listed.split('\0'))].filter((file) => {
    if (file === '') return false;
    const full = root + file;
    return existsSync(full) && statSync(full).isFile();
  });
}

function textOf(file: string): string | null {
  const text = readFileSync(root + file, 'utf8');
  return text.includes('\0') ? null : text;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Where a path written in `file` points, as a repository path: `docs/…` from the root, else from the file. */
function targetsOf(file: string, path: string): string[] {
  const targets = [posix.normalize(posix.join(posix.dirname(file), path))];
  if (path.startsWith('docs/')) targets.push(posix.normalize(path));
  return targets;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces → `-`. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface DocIndex {
  sections: Set<string>;
  anchors: Set<string>;
}

const docIndexes = new Map<string, DocIndex | null>();

/** The numbered sections (`## 2.1 …` → `2.1`) and anchors (`<a id>` and heading slugs) of a doc. */
function indexOf(doc: string): DocIndex | null {
  if (!docIndexes.has(doc)) {
    const full = root + doc;
    if (!existsSync(full)) {
      docIndexes.set(doc, null);
    } else {
      const text = readFileSync(full, 'utf8');
      const sections = new Set<string>();
      const anchors = new Set<string>();
      for (const [, heading = ''] of text.matchAll(/^#{1,6}\s+(.*)$/gm)) {
        const number = /^(\d+(?:\.\d+)*)\.?\s/.exec(heading)?.[1];
        if (number !== undefined) sections.add(number);
        anchors.add(slug(heading));
      }
      for (const [, id = ''] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id);
      docIndexes.set(doc, { sections, anchors });
    }
  }
  return docIndexes.get(doc) ?? null;
}

/** The section run right after a citation: one or more `§<n>[.<n>…]`, separated by `,`, `–`, `/`, `and`, `or`
 * (closing backticks, brackets and parentheses before it are skipped). */
const sectionRun = /^[`)\]*]*((?:\s*(?:,|–|-|\/|and|or)?\s*§\d+(?:\.\d+)*)+)/;
/** A path ending in `.md`, with an optional `#anchor`. */
const mdPath = /(?<![\w/.-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w.-]+\.md)(#[\w-]+)?/g;
/** A Markdown link target `](path.md#anchor)`. */
const linkTarget = /\]\(((?!https?:)[^)\s#]+\.md)(#[\w-]+)?\)/g;

interface Citation {
  index: number;
  doc: string;
  anchor: string | undefined;
  sections: string[];
  /** End of the citation, its `§` run included. */
  end: number;
}

/** The citations of our docs in one file: `docs/…md` paths from the root, and link targets from the file. */
function citationsIn(file: string, text: string): Citation[] {
  const found: Citation[] = [];
  const add = (index: number, length: number, doc: string, anchor: string | undefined) => {
    const after = index + length;
    const run = sectionRun.exec(text.slice(after, after + 200));
    const sections = run ? [...(run[1] ?? '').matchAll(/§(\d+(?:\.\d+)*)/g)].map((m) => m[1] ?? '') : [];
    found.push({ index, doc, anchor, sections, end: after + (run ? run[0].length : 0) });
  };
  for (const match of text.matchAll(mdPath)) {
    const [whole, path = '', anchor] = match;
    if (path.startsWith('docs/')) add(match.index, whole.length, posix.normalize(path), anchor?.slice(1));
  }
  for (const match of text.matchAll(linkTarget)) {
    const [whole, path = '', anchor] = match;
    const doc = posix.normalize(posix.join(posix.dirname(file), path));
    add(match.index, whole.length, doc, anchor?.slice(1));
  }
  return found.sort((a, b) => a.index - b.index);
}

describe('the repository stands on its own', () => {
  const files = repositoryFiles();

  it('points nowhere outside itself (no reference pack paths or file names)', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null) continue;
      for (const name of outsideNames) {
        let at = text.indexOf(name);
        while (at !== -1) {
          problems.push(`${file}:${lineOf(text, at)} mentions "${name}" — cite docs/ instead`);
          at = text.indexOf(name, at + name.length);
        }
      }
      for (const match of text.matchAll(new RegExp(`[\\w./-]*${legacyName.replace('.', '\\.')}`, 'g'))) {
        const path = match[0];
        if (!path.startsWith('/') && targetsOf(file, path).includes(legacyDoc)) continue;
        problems.push(`${file}:${lineOf(text, match.index)} mentions "${path}" — cite ${legacyDoc} instead`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('cites only docs, sections and anchors that exist', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null || !text.includes('.md')) continue;
      for (const citation of citationsIn(file, text)) {
        const where = `${file}:${lineOf(text, citation.index)}`;
        const index = indexOf(citation.doc);
        if (index === null) {
          if (citation.doc.startsWith('docs/') || file.startsWith('docs/')) {
            problems.push(`${where} cites ${citation.doc}, which does not exist`);
          }
          continue;
        }
        if (citation.anchor !== undefined && !index.anchors.has(citation.anchor)) {
          problems.push(`${where} cites ${citation.doc}#${citation.anchor}: no such anchor`);
        }
        for (const section of citation.sections) {
          if (!index.sections.has(section))
            problems.push(`${where} cites ${citation.doc} §${section}: no such section`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every bare § to the doc the file cited last (or, in docs/, to the doc itself)', () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null || !text.includes('§')) continue;
      const citations = citationsIn(file, text).filter((c) => c.doc.startsWith('docs/'));
      for (const match of text.matchAll(/§(\d+(?:\.\d+)*)/g)) {
        const section = match[1] ?? '';
        if (citations.some((c) => c.index <= match.index && match.index < c.end)) continue;
        if (/RFC\s*\d+\s*$/.test(text.slice(Math.max(0, match.index - 12), match.index))) continue;
        const where = `${file}:${lineOf(text, match.index)}`;
        const context = file.startsWith('docs/')
          ? file
          : citations.filter((c) => c.index < match.index).at(-1)?.doc;
        if (context === undefined) {
          problems.push(
            `${where}: §${section} names no doc — write e.g. "docs/upstream/oscar.md §${section}"`,
          );
          continue;
        }
        if (!(indexOf(context)?.sections.has(section) ?? false)) {
          problems.push(`${where}: §${section} (of ${context}) does not exist`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('numbers the quirks in the docs as the simulators’ tests do', () => {
    const pairs = [
      { doc: 'docs/upstream/oscar.md', spec: 'sims/oscar/test/quirks.int.spec.ts', word: 'quirk' },
      { doc: 'docs/upstream/primero.md', spec: 'sims/primero/test/checklist.int.spec.ts', word: 'checklist' },
    ];
    for (const { doc, spec, word } of pairs) {
      const tested = [
        ...readFileSync(root + spec, 'utf8').matchAll(new RegExp(`describe\\(['"\`]${word} (\\d+):`, 'g')),
      ]
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
      const documented = [...(indexOf(doc)?.anchors ?? [])]
        .flatMap((anchor) => (/^q(\d+)$/.exec(anchor) ? [Number(anchor.slice(1))] : []))
        .sort((a, b) => a - b);
      expect(documented, `${doc} #qN anchors vs ${spec}`).toEqual(tested);
    }
  });
});
