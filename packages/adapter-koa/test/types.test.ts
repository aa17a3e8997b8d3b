// The KoaSessionTypes switch is a module augmentation, global to a TypeScript program: declared in
// a test file it would retype ctx.session in every other test of this package. So the app that
// declares it is type-checked here in a program of its own, with the package's compiler options.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** A koa-session app moved to sessionkit, typed once with KoaSessionTypes. */
const typedApp = `
import Router from '@koa/router';
import Koa from 'koa';
import koaPassport from 'koa-passport';
import { sessionOf } from '@sessionkit/core/compat';
import { session } from '../src/index.js';

declare module '../src/index.js' {
  interface KoaSessionTypes { compat: 'koa-session' }
}

const app = new Koa();
app.use(session({ secrets: ['x'.repeat(32)] }, { compat: 'koa-session' }));
const passport = new koaPassport.KoaPassport();
app.use(passport.initialize());
app.use(passport.session());
const router = new Router();
router.get('/', (ctx) => {
  if (ctx.session.views === undefined) ctx.session.views = 0;
  ctx.session.views++;
  const user: unknown = ctx.session.passport?.user;
  const isNew: boolean = ctx.session.isNew;
  const maxAge: number | 'session' = ctx.session.maxAge;
  ctx.session.maxAge = 'session';
  ctx.body = { user, isNew, maxAge, length: ctx.session.length };
});
// koa-passport's custom callback, which calls a default-context middleware with the router's ctx.
router.post('/login', (ctx, next) =>
  passport.authenticate('local', async (_error: unknown, user: { id: string } | false) => {
    if (user === false) return ctx.throw(401);
    await ctx.login(user);
    sessionOf(ctx.session).setUserId(user.id);
    await ctx.session.save();
  })(ctx, next),
);
router.post('/logout', async (ctx) => {
  await ctx.logout();
  await new Promise<void>((resolve, reject) => ctx.session.regenerate((error) => (error ? reject(error) : resolve())));
  ctx.session = { theme: 'dark' };
  ctx.session = null;
});
app.use(router.routes());
`;

/** The diagnostics of a program made of `source` (as test/typed-app.ts) and this folder's declarations. */
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
  const roots = [file, join(here, 'koa-passport.d.ts'), join(here, 'koa-passport-context.d.ts')];
  const program = ts.createProgram(roots, config.options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('typing an app with KoaSessionTypes', () => {
  it('ctx.session is the view in every context: views++, passport, maxAge, koa-passport custom callback', () => {
    expect(typeCheck(typedApp)).toEqual([]);
  }, 60_000);

  it('without the declaration ctx.session stays the sessionkit Session, where views is not a member', () => {
    const untyped = typedApp.replace(/declare module[\s\S]*?\n}\n/, '');
    expect(untyped).not.toContain('KoaSessionTypes');
    expect(typeCheck(untyped).join('\n')).toMatch(/Property 'views' does not exist on type 'Session/);
  }, 60_000);
});
