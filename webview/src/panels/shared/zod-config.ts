/**
 * Imported first by every panel: the pages' CSP forbids eval, so zod must be jitless before any
 * schema is built (zod decides per object schema, when it is built, whether to compile a fast
 * parser, and probing for eval is reported as a CSP violation even though zod catches it).
 */
import { config } from "zod";

config({ jitless: true });
