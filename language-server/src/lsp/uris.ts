/** Document URIs to the file names the TypeScript service uses, and back. */
import { fileURLToPath, pathToFileURL } from "node:url";

const VIRTUAL = "/__tensorlens_virtual__/";

export function uriToFileName(uri: string): string {
  if (uri.startsWith("file:")) return fileURLToPath(uri);
  // Untitled and other schemes: a stable virtual path, so the service can still parse them.
  const name = encodeURIComponent(uri);
  return `${VIRTUAL}${name}${/\.[cm]?[jt]sx?$/.test(uri) ? "" : ".ts"}`;
}

export function fileNameToUri(fileName: string): string {
  if (fileName.startsWith(VIRTUAL)) return decodeURIComponent(fileName.slice(VIRTUAL.length).replace(/\.ts$/, ""));
  return pathToFileURL(fileName).href;
}
