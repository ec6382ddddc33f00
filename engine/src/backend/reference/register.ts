import { registerBackend } from "../registry.js";
import { ReferenceBackend } from "./index.js";

registerBackend("reference", () => new ReferenceBackend(), 100);
