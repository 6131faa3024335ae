#!/usr/bin/env node
// pnpm console:hash-password — prints the scrypt hash of a password, for CONSOLE_PASSWORD_HASH.
// The password is read from standard input (typed, without echo, on a terminal; or piped), never from the
// command line, so it stays out of the shell's history and the process list:
//   pnpm --silent console:hash-password
//   printf '%s' 'correct horse battery staple' | pnpm --silent console:hash-password
import { hashPassword } from './auth/password-hash.ts';

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the terminator of `echo`, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Reads one line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    const input = process.stdin;
    input.setRawMode(true);
    input.resume();
    let typed = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          input.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

try {
  let password: string;
  if (process.stdin.isTTY) {
    password = await readHidden('Password: ');
    if ((await readHidden('Again: ')) !== password) throw new Error('the two passwords differ');
  } else {
    password = await readPiped();
  }
  if (password.length < 12) throw new Error('choose a password of 12 characters or more');
  process.stdout.write(`${await hashPassword(password)}\n`);
} catch (error) {
  process.stderr.write(`console:hash-password: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
