import type { BackendEntry } from "../registry.js";
import { ReferenceBackend } from "./index.js";

/** "reference": TypeScript, always available; the last resort of the default. */
export const referenceEntry: BackendEntry = { name: "reference", make: () => new ReferenceBackend(), priority: 100 };
