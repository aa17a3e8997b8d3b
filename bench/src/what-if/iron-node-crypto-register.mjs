// `node --import` entry of the iron-node-crypto what-if: registers the resolve hook.
import { register } from 'node:module';

register('./iron-node-crypto-hooks.mjs', import.meta.url);
