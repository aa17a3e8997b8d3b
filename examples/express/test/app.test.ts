import { fileURLToPath } from 'node:url';
import { describeExample, listenHttp } from '../../example-suite.js';
import { createApp } from '../src/app.js';

describeExample('express', (manager) => listenHttp(createApp(manager)), fileURLToPath(new URL('..', import.meta.url)));
