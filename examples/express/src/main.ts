/**
 * Starts the demo: `npm start -w examples/express`.
 *
 * @module
 */
import { runDemo, setUpDemo } from '../../example-config.js';
import { createApp } from './app.js';

runDemo(() => {
  const { config, manager } = setUpDemo();
  const server = createApp(manager).listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    console.log(`Listening on http://localhost:${port}`);
  });
});
