// SessionData augmentation is global to a TypeScript program: declared in a test file it would
// retype every other test's session. So the app that declares it is type-checked here in a program
// of its own, with the package's compiler options.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** An app typed once through SessionData, as in the other frameworks. */
const typedApp = `
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { session, type SessionEnv } from '../src/index.js';

declare module '@sessionkit/core' {
  interface SessionData { username: string; visits: number }
}

const app = new Hono();
app.use(session({ secrets: ['x'.repeat(32)] }));
const requireUser = createMiddleware<SessionEnv>(async (c, next) => {
  if (c.var.session.data.username === undefined) return c.redirect('/login', 303);
  await next();
});
app.get('/', requireUser, async (c) => {
  const name: string | undefined = c.get('session').data.username;
  const visits: number = await c.var.session.increment('visits');
  return c.text(\`\${name} \${visits}\`);
});
app.post('/login', async (c) => {
  await c.get('session').regenerate();
  c.get('session').data.username = 'alice';
  return c.redirect('/', 303);
});
`;

/** The diagnostics of a program made of `source` (as test/typed-app.ts). */
function typeCheck(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(here, '../tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const file = join(here, 'typed-app.ts');
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  const program = ts.createProgram([file], config.options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('typing a Hono app through SessionData', () => {
  it("types c.get('session') and c.var.session in handlers and in createMiddleware<SessionEnv>", () => {
    expect(typeCheck(typedApp)).toEqual([]);
  }, 60_000);

  it('refuses what SessionData does not allow: a wrong type, an unknown key, increment on a string', () => {
    const wrong = typedApp.replace(
      "c.get('session').data.username = 'alice';",
      "c.get('session').data.username = 42; c.get('session').data.nope = 1; await c.var.session.increment('username');",
    );
    const errors = typeCheck(wrong).join('\n');
    expect(errors).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(errors).toMatch(/Property 'nope' does not exist/);
    expect(errors).toMatch(/Argument of type '"username"' is not assignable/);
  }, 60_000);
});
