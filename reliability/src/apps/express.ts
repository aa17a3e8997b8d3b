/**
 * The Express demo as the suite runs it: examples/express/src/main.ts (same environment, same
 * "Listening on" line), with the suite's test routes added through `createApp`'s `routes` option.
 *
 * @module
 */
import { runDemo, setUpDemo } from '../../../examples/example-config.js';
import { createApp } from '../../../examples/express/src/app.js';
import { mountTestRoutes } from '../test-routes/express.js';

runDemo(() => {
  const { config, manager } = setUpDemo();
  const server = createApp(manager, { routes: mountTestRoutes }).listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    console.log(`Listening on http://localhost:${port}`);
  });
});
