/**
 * Entry point: `node dist/server.js --stdio` (or --node-ipc from VS Code; createConnection
 * picks the transport from the command line). Errors that escape a handler are logged, not fatal.
 */
import { startServer } from "./lsp/server.js";

process.on("uncaughtException", (e) => { process.stderr.write(`tensorlens-language-server: uncaught: ${e?.stack ?? e}\n`); });
process.on("unhandledRejection", (e) => { process.stderr.write(`tensorlens-language-server: unhandled rejection: ${(e as Error)?.stack ?? e}\n`); });

startServer();
