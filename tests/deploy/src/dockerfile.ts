import { imageProblems } from './apps.ts';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** The text after the keyword, flags (`--interval=…`) included. */
  args: string;
  line: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i += 1;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (match)
      instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '', line: start + 1 });
  }
  return instructions;
}

/** The instructions of the last stage (the image that runs). */
export function finalStage(instructions: readonly Instruction[]): Instruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return lastFrom < 0 ? [] : instructions.slice(lastFrom);
}

/** `KEY=value …` pairs of the final stage's ENV and ARG defaults. */
export function finalStageVariables(instructions: readonly Instruction[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const instruction of finalStage(instructions)) {
    if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') continue;
    for (const [name, value] of assignments(instruction.args)) variables[name] = value;
  }
  return variables;
}

function assignments(args: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|'[^']*'|\S*))?/g)) {
    pairs.push([match[1] ?? '', (match[2] ?? '').replace(/^["']|["']$/g, '')]);
  }
  return pairs;
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const text = args.trim();
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const secretName = /PASSWORD|SECRET|TOKEN|CREDENTIAL|_KEY$/i;
const urlWithPassword = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i;

/**
 * What is wrong with the Dockerfile, in words that say how to fix it: a pinned base image (Node as in
 * .node-version), a non-root USER, exec-form CMD/ENTRYPOINT running node itself, a HEALTHCHECK on
 * /health/ready, the app chosen by the APP build argument, and no credential baked in.
 */
export function dockerfileProblems(text: string, options: { nodeVersion: string }): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const stages: string[] = [];
  for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
    const [image = '', as, alias] = from.args.replace(/--platform=\S+\s*/, '').split(/\s+/);
    if (as?.toUpperCase() === 'AS' && alias) stages.push(alias);
    if (stages.includes(image) && image !== alias) continue;
    if (image.includes('$')) {
      problems.push(`line ${from.line}: FROM ${image}: name the base image literally, pinned`);
      continue;
    }
    problems.push(...imageProblems(image).map((p) => `line ${from.line}: FROM ${p}`));
    if (
      /^(docker\.io\/(library\/)?)?node:/.test(image) &&
      !image.split(':')[1]?.startsWith(`${options.nodeVersion}-`)
    ) {
      problems.push(
        `line ${from.line}: FROM ${image}: use node:${options.nodeVersion}-<variant>, the Node version of .node-version`,
      );
    }
  }
  const final = finalStage(instructions);
  if (final.length === 0) return [...problems, 'no FROM: the Dockerfile builds nothing'];

  const users = final.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.trim();
  if (user === undefined) problems.push('the final stage has no USER: run as the node user (USER 1000:1000)');
  else if (/^(root|0)(:|$)/.test(user))
    problems.push(`USER ${user}: run as a non-root user (USER 1000:1000)`);

  const entrypoint = final.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  const cmd = final.filter((i) => i.keyword === 'CMD').at(-1);
  if (!entrypoint && !cmd) problems.push('the final stage has no CMD: CMD ["node", "dist/main.js"]');
  for (const instruction of [entrypoint, cmd]) {
    if (!instruction) continue;
    const argv = execForm(instruction.args);
    if (!argv) {
      problems.push(
        `line ${instruction.line}: ${instruction.keyword} in shell form puts a shell before node, which then never gets SIGTERM: write it as a JSON array`,
      );
    }
  }
  const program = execForm((entrypoint ?? cmd)?.args ?? '')?.[0];
  if (program !== undefined && program !== 'node') {
    problems.push(`the container runs ${program}: run node itself, so SIGTERM reaches the service`);
  }

  const healthcheck = final.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args.trim())) {
    problems.push(
      'the final stage has no HEALTHCHECK: probe /health/ready with node (the image has no curl)',
    );
  } else {
    const command = /\bCMD\s+(.*)$/s.exec(healthcheck.args)?.[1] ?? '';
    const argv = execForm(command);
    if (!argv) problems.push(`line ${healthcheck.line}: write the HEALTHCHECK command as a JSON array`);
    else if (argv[0] !== 'node')
      problems.push(`line ${healthcheck.line}: HEALTHCHECK runs ${argv[0]}: use node -e`);
    const variables = finalStageVariables(instructions);
    const probed = `${command} ${variables.HEALTHCHECK_PATH ?? ''}`;
    if (!probed.includes('/health/ready')) problems.push('the HEALTHCHECK does not probe /health/ready');
  }

  const buildArgs = instructions.filter((i) => i.keyword === 'ARG').map((i) => assignments(i.args)[0]?.[0]);
  if (!buildArgs.includes('APP')) problems.push('no ARG APP: the app to package must be a build argument');

  for (const instruction of instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
    for (const [name, value] of assignments(instruction.args)) {
      if (secretName.test(name)) {
        problems.push(
          `line ${instruction.line}: ${instruction.keyword} ${name}: no credential in the image; pass it at run time`,
        );
      } else if (urlWithPassword.test(value)) {
        problems.push(`line ${instruction.line}: ${name} holds a URL with a password: pass it at run time`);
      }
    }
  }
  return problems;
}
