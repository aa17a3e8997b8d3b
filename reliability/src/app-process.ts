import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TestClient } from '@sessionkit/core/testing';
import { type Framework, SUITE_SECRET } from './frameworks.js';

/** A running example app in its own process. */
export interface AppProcess {
  readonly framework: Framework;
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the app wrote to stderr so far (unhandled rejections and crashes land there). */
  stderr(): string;
  /** A fresh cookie-keeping client for this app. */
  client(): TestClient;
  /** Whether the process is still running. */
  isAlive(): boolean;
  /** Stops the app (SIGTERM) and waits for its exit. */
  stop(): Promise<void>;
}

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** How {@link startApp} runs the app. */
export interface StartOptions {
  /**
   * `true` (the default): the suite's entry, src/apps/<framework>.ts, which starts the demo as its
   * main.ts does and adds the suite's test routes. `false`: the example's own src/main.ts, exactly
   * what `npm start` runs.
   */
  readonly testRoutes?: boolean;
}

/**
 * Starts `examples/<framework>` as `npm start` would (without the build step: node --import tsx,
 * from the example's folder), on a free port, by default with the suite's test routes added.
 * Resolves once the app says it is listening.
 */
export async function startApp(
  framework: Framework,
  env: Record<string, string> = {},
  { testRoutes = true }: StartOptions = {},
): Promise<AppProcess> {
  const entry = testRoutes ? fileURLToPath(new URL(`./apps/${framework}.ts`, import.meta.url)) : 'src/main.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: `${EXAMPLES}${framework}`,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      SESSION_SECRET: SUITE_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /Listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1].replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) =>
      reject(new Error(`examples/${framework} exited with ${code} before listening:\n${stderr}`)),
    );
  });
  return {
    framework,
    url,
    process: child,
    stderr: () => stderr,
    client: () => new TestClient(url),
    isAlive: () => !exited,
    async stop() {
      if (exited) return;
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      await exit;
    },
  };
}
