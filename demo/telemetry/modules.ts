// The modules whose ES-module imports import-in-the-middle must wrap, because an instrumentation
// registered in sdk.ts patches them. Global fetch needs no hook: instrumentation-undici listens on
// diagnostics_channel.
export const HOOKED_MODULES = ['@grpc/grpc-js', 'http', 'https'] as const;
