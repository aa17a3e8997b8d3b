// Module resolve hook (plain JS: hooks run on their own thread, before tsx could help): imports of
// iron-webcrypto from @sessionkit/core's build get the node:crypto what-if module instead. The
// replacement is resolved through the rest of the chain, so tsx (registered first) compiles it.
export async function resolve(specifier, context, next) {
  if (specifier === 'iron-webcrypto' && context.parentURL?.includes('/packages/core/dist/')) {
    return next('./iron-on-node-crypto.ts', { ...context, parentURL: import.meta.url });
  }
  return next(specifier, context);
}
