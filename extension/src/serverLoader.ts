/**
 * The language server's entry in the extension (dist/server.cjs): turns on Node's compile cache
 * before loading the server bundle (dist/server-main.cjs, 10 MB with `typescript` inside), so
 * every start after the first skips compiling it again (the server's start to its first answer
 * went from ~250 to ~150 ms on VS Code's Node 24 here). Node before 22.1 has no compile cache and
 * loads the bundle as it is. The cache lives in the OS's temp folder, keyed by the file's content.
 */
import * as nodeModule from "node:module";
import { join } from "node:path";
import { tmpdir } from "node:os";

const withCache = nodeModule as typeof nodeModule & { enableCompileCache?: (dir?: string) => unknown };
try {
  withCache.enableCompileCache?.(join(tmpdir(), "tensorlens-compile-cache"));
} catch {
  // A read-only temp folder: the server starts without the cache.
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("./server-main.cjs");
